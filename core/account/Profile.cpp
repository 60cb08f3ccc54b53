#include "account/Profile.h"

#include "store/MailStore.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace heron {

Profile::Profile(QString dir) : m_dir(dir.isEmpty() ? defaultDir() : QDir(dir).absolutePath()) {}

QString Profile::defaultDir()
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return base + QStringLiteral("/heron");
}

bool Profile::ensureExists(QString *error) const
{
    QDir d(m_dir);
    if (!d.exists() && !d.mkpath(QStringLiteral("."))) {
        if (error) *error = QStringLiteral("cannot create the profile folder %1").arg(m_dir);
        return false;
    }
    QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return true;
}

QString Profile::databasePath() const { return m_dir + QStringLiteral("/heron.db"); }
QString Profile::settingsPath() const { return m_dir + QStringLiteral("/settings.ini"); }
QString Profile::extraAnchorsPath() const { return m_dir + QStringLiteral("/trusted-ca.pem"); }
QString Profile::secretsPath() const { return m_dir + QStringLiteral("/secrets.ini"); }

net::TrustPolicy Profile::trustPolicy() const
{
    net::TrustPolicy p;
    p.extraAnchorsFile = extraAnchorsPath();
    const QString db = databasePath();
    p.isPinned = [db](const QString &host, int port, const QString &sha) {
        try {
            store::MailStore s(db);
            return s.isPinned(host, port, sha);
        } catch (...) {
            return false;
        }
    };
    p.pinnedFingerprint = [db](const QString &host, int port) {
        try {
            store::MailStore s(db);
            return s.pinnedFingerprint(host, port);
        } catch (...) {
            return QString();
        }
    };
    return p;
}

} // namespace heron
