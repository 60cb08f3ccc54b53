#pragma once
// Where account passwords live. Issue 5 brings the system keyring (QtKeychain);
// until then a password is kept for the session only, or, when the user asked
// for it explicitly (after a warning), in the profile's secrets file (mode 0600,
// never in the database, settings or logs).
#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

namespace heron {

class SecretStore {
public:
    explicit SecretStore(QString profileSecretsPath);
    std::optional<QString> password(const QString &account) const;
    void setSessionPassword(const QString &account, const QString &password);
    // Explicit opt-in: persists the password in the profile file.
    bool storeInProfile(const QString &account, const QString &password, QString *error);
    void forget(const QString &account);
private:
    QString m_path;
    mutable QMutex m_mutex;
    QHash<QString, QString> m_session;
};

} // namespace heron
