#include "account/SecretStore.h"

#include <QFile>
#include <QSaveFile>
#include <QSettings>

namespace heron {

SecretStore::SecretStore(QString profileSecretsPath) : m_path(std::move(profileSecretsPath)) {}

std::optional<QString> SecretStore::password(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_session.find(account);
    if (it != m_session.end()) return *it;
    if (QFile::exists(m_path)) {
        QSettings s(m_path, QSettings::IniFormat);
        const QString key = QStringLiteral("passwords/") + QString::fromLatin1(account.toUtf8().toHex());
        if (s.contains(key)) return s.value(key).toString();
    }
    return std::nullopt;
}

void SecretStore::setSessionPassword(const QString &account, const QString &password)
{
    QMutexLocker lock(&m_mutex);
    m_session.insert(account, password);
}

bool SecretStore::storeInProfile(const QString &account, const QString &password, QString *error)
{
    QMutexLocker lock(&m_mutex);
    {
        // Create the file with owner-only permissions before anything is written to it.
        QFile f(m_path);
        if (!f.exists()) {
            if (!f.open(QIODevice::WriteOnly)) {
                if (error) *error = f.errorString();
                return false;
            }
            f.close();
        }
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    QSettings s(m_path, QSettings::IniFormat);
    s.setValue(QStringLiteral("passwords/") + QString::fromLatin1(account.toUtf8().toHex()), password);
    s.sync();
    if (s.status() != QSettings::NoError) {
        if (error) *error = QStringLiteral("cannot write %1").arg(m_path);
        return false;
    }
    m_session.insert(account, password);
    return true;
}

void SecretStore::forget(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    m_session.remove(account);
    if (QFile::exists(m_path)) {
        QSettings s(m_path, QSettings::IniFormat);
        s.remove(QStringLiteral("passwords/") + QString::fromLatin1(account.toUtf8().toHex()));
    }
}

} // namespace heron
