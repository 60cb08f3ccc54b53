#include "account/AccountCheck.h"

#include "net/ImapSession.h"
#include "net/NetError.h"
#include "net/Pop3Session.h"
#include "net/SmtpSession.h"
#include "util/ErrorText.h"

#include <QHostInfo>
#include <QTcpSocket>

namespace heron {

QString stageName(CheckOutcome::Stage stage)
{
    switch (stage) {
    case CheckOutcome::Ok: return QStringLiteral("ok");
    case CheckOutcome::HostNotFound: return QStringLiteral("host not found");
    case CheckOutcome::Refused: return QStringLiteral("connection refused");
    case CheckOutcome::NoAnswer: return QStringLiteral("no answer");
    case CheckOutcome::Certificate: return QStringLiteral("certificate");
    case CheckOutcome::Tls: return QStringLiteral("TLS");
    case CheckOutcome::Password: return QStringLiteral("password");
    case CheckOutcome::Protocol: return QStringLiteral("protocol");
    case CheckOutcome::Other: return QStringLiteral("other");
    }
    return QString();
}

namespace {

CheckOutcome fail(CheckOutcome::Stage stage, const QString &message)
{
    CheckOutcome o;
    o.stage = stage;
    o.message = message;
    return o;
}

// Host name and TCP first: vmime folds both into one "cannot connect" error.
CheckOutcome checkReachable(const ServerConfig &server, int timeoutMs)
{
    const QString where = QStringLiteral("%1:%2").arg(server.host).arg(server.port);
    const QHostInfo info = QHostInfo::fromName(server.host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
        return fail(CheckOutcome::HostNotFound,
                    QStringLiteral("The server name \"%1\" was not found (DNS): check the spelling, or the network.").arg(server.host));
    QTcpSocket socket;
    socket.connectToHost(server.host, quint16(server.port));
    if (!socket.waitForConnected(timeoutMs)) {
        if (socket.error() == QAbstractSocket::ConnectionRefusedError)
            return fail(CheckOutcome::Refused,
                        QStringLiteral("%1 refused the connection: no mail service on that port.").arg(where));
        if (socket.error() == QAbstractSocket::SocketTimeoutError)
            return fail(CheckOutcome::NoAnswer, QStringLiteral("%1 did not answer (a firewall, or the wrong port).").arg(where));
        return fail(CheckOutcome::Refused, QStringLiteral("Cannot connect to %1: %2").arg(where, socket.errorString()));
    }
    socket.abort();
    return {};
}

CheckOutcome fromNetError(const net::NetError &e)
{
    CheckOutcome o;
    o.message = e.message();
    switch (e.kind()) {
    case net::NetError::Certificate: o.stage = CheckOutcome::Certificate; o.certificate = e.info(); break;
    case net::NetError::Tls: o.stage = CheckOutcome::Tls; break;
    case net::NetError::Auth: o.stage = CheckOutcome::Password; break;
    case net::NetError::Protocol: o.stage = CheckOutcome::Protocol; break;
    case net::NetError::Timeout: o.stage = CheckOutcome::NoAnswer; break;
    case net::NetError::Network: o.stage = CheckOutcome::Refused; break;
    default: o.stage = CheckOutcome::Other; break;
    }
    return o;
}

} // namespace

CheckOutcome checkServer(const AccountConfig &account, bool outgoing, const QStringList &usernames,
                         const QString &password, const net::TrustPolicy &trust, net::CancelFlag cancel,
                         int connectTimeoutMs)
{
    if (!cancel) cancel = std::make_shared<std::atomic_bool>(false);
    const ServerConfig &server = outgoing ? account.smtp : account.incoming;
    if (server.host.isEmpty()) return fail(CheckOutcome::HostNotFound, QStringLiteral("No server name is set."));
    CheckOutcome reach = checkReachable(server, connectTimeoutMs);
    if (!reach.ok()) return reach;

    const QStringList names = usernames.isEmpty() ? QStringList{account.username} : usernames;
    CheckOutcome last;
    for (const QString &name : names) {
        AccountConfig a = account;
        a.username = name;
        try {
            if (outgoing) {
                net::SmtpSession s(a, password, trust, cancel);
                s.connect();
                s.disconnect();
            } else if (a.isPop3()) {
                net::Pop3Session s(a, password, trust, cancel);
                s.connect();
                s.quit();
            } else {
                net::ImapSession s(a, password, trust, cancel);
                s.connect();
                s.logout();
            }
            CheckOutcome ok;
            ok.username = name;
            ok.message = QStringLiteral("%1:%2 accepted the login as \"%3\".").arg(server.host).arg(server.port).arg(name);
            return ok;
        } catch (...) {
            const util::ErrorText t = util::describeCurrentException();
            last = fromNetError(net::NetError(t.kind, t.message, t.info));
            if (last.stage != CheckOutcome::Password) return last;
        }
    }
    if (names.size() > 1)
        last.message = QStringLiteral("%1:%2 rejected the password (tried the user names %3).")
                           .arg(server.host).arg(server.port).arg(names.join(QLatin1String(", ")));
    return last;
}

} // namespace heron
