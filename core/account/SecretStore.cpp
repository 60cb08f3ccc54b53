#include "account/SecretStore.h"

#include "account/Keyring.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>

namespace heron {

SecretStore::SecretStore(QString profileSecretsPath) : m_path(std::move(profileSecretsPath)) {}

QString SecretStore::keyringKey(const QString &account) const
{
    return QFileInfo(m_path).absolutePath() + QLatin1Char('/') + account;
}

std::optional<QString> SecretStore::password(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_session.find(account);
    if (it != m_session.end()) return *it;
    // The keyring is asked only when the account says it keeps its password there.
    if (QFile::exists(m_path)) {
        QSettings s(m_path, QSettings::IniFormat);
        if (s.value(QStringLiteral("keyring/") + QString::fromLatin1(account.toUtf8().toHex())).toBool()) {
            KeyringResult r = Keyring::read(keyringKey(account));
            if (r.ok) {
                const_cast<SecretStore *>(this)->m_session.insert(account, r.value);
                return r.value;
            }
        }
    }
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

bool SecretStore::storeInKeyring(const QString &account, const QString &password, QString *error)
{
    KeyringResult r = Keyring::write(keyringKey(account), password);
    if (!r.ok) {
        if (error) *error = r.error;
        return false;
    }
    QMutexLocker lock(&m_mutex);
    {
        QFile f(m_path);
        if (!f.exists() && f.open(QIODevice::WriteOnly)) f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    // Only a marker: "this account's password is in the keyring".
    QSettings s(m_path, QSettings::IniFormat);
    s.setValue(QStringLiteral("keyring/") + QString::fromLatin1(account.toUtf8().toHex()), true);
    s.sync();
    m_session.insert(account, password);
    return true;
}

void SecretStore::forget(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    m_session.remove(account);
    Keyring::remove(keyringKey(account));
    if (QFile::exists(m_path)) {
        QSettings s(m_path, QSettings::IniFormat);
        s.remove(QStringLiteral("passwords/") + QString::fromLatin1(account.toUtf8().toHex()));
    }
}

} // namespace heron
