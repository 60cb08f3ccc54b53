#include "account/ProfileOwner.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>

namespace heron {

namespace {
// One request per connection: a line of tab-separated fields; the owner
// answers "ok\n". Fields cannot contain tabs or newlines (they are removed).
QByteArray encode(const QStringList &request)
{
    QStringList clean;
    for (QString f : request) clean << f.remove(QLatin1Char('\t')).remove(QLatin1Char('\n')).remove(QLatin1Char('\r'));
    return clean.join(QLatin1Char('\t')).toUtf8() + '\n';
}
constexpr qint64 kMaxRequest = 64 * 1024;
} // namespace

ProfileOwner::ProfileOwner(const QString &profileDir, QObject *parent)
    : QObject(parent), m_profileDir(QDir(profileDir).absolutePath())
{
    const QByteArray hash = QCryptographicHash::hash(m_profileDir.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    m_serverName = QStringLiteral("heron-%1-%2").arg(QString::fromLatin1(qgetenv("USER"))).arg(QString::fromLatin1(hash));
}

ProfileOwner::~ProfileOwner() = default;

bool ProfileOwner::acquire()
{
    m_lock = std::make_unique<QLockFile>(m_profileDir + QStringLiteral("/heron.lock"));
    m_lock->setStaleLockTime(0); // never stale by age: only a dead owner's lock is taken over
    if (!m_lock->tryLock(0)) {
        m_lock.reset();
        return false;
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(m_serverName); // left by an owner that crashed
    m_server->listen(m_serverName);
    connect(m_server, &QLocalServer::newConnection, this, &ProfileOwner::onConnection);
    return true;
}

void ProfileOwner::onConnection()
{
    while (QLocalSocket *s = m_server->nextPendingConnection()) {
        connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
        connect(s, &QLocalSocket::readyRead, this, [this, s] {
            if (s->bytesAvailable() > kMaxRequest && !s->canReadLine()) {
                s->abort();
                return;
            }
            if (!s->canReadLine()) return;
            const QString line = QString::fromUtf8(s->readLine(kMaxRequest)).trimmed();
            s->write("ok\n");
            s->flush();
            s->disconnectFromServer();
            Q_EMIT requestReceived(line.split(QLatin1Char('\t')));
        });
    }
}

bool ProfileOwner::sendToOwner(const QStringList &request, int waitMs) const
{
    QLocalSocket s;
    s.connectToServer(m_serverName);
    if (!s.waitForConnected(waitMs)) return false;
    s.write(encode(request));
    if (!s.waitForBytesWritten(waitMs)) return false;
    while (!s.canReadLine())
        if (!s.waitForReadyRead(waitMs)) return false;
    return s.readLine().trimmed() == "ok";
}

} // namespace heron
