#pragma once
// Where account passwords live: the system keyring (Secret Service through
// QtKeychain) when the user asks to remember a password; without a keyring,
// for the session only, or, when the user explicitly chose it after a warning,
// in the profile's secrets file (mode 0600). Never in the database, settings
// or logs, and never a silent plaintext fallback.
// Keyring entries are keyed by the profile folder and the account name.
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
    // Stores in the system keyring; false (with the reason) when there is none.
    bool storeInKeyring(const QString &account, const QString &password, QString *error);
    void forget(const QString &account);
private:
    QString keyringKey(const QString &account) const;
    QString m_path;
    mutable QMutex m_mutex;
    QHash<QString, QString> m_session;
};

} // namespace heron
