#include "net/SmtpSession.h"


#include <vmime/security/sasl/defaultSASLAuthenticator.hpp>

namespace heron::net {


SmtpSession::SmtpSession(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel)
    : m_account(std::move(account)), m_password(std::move(password)), m_trust(std::move(trust)),
      m_cancel(cancel ? std::move(cancel) : std::make_shared<std::atomic_bool>(false)) {}

SmtpSession::~SmtpSession()
{
    try {
        if (m_transport && m_transport->isConnected()) m_transport->disconnect();
    } catch (...) {
    }
}

void SmtpSession::connect()
{
    ensureVmimePlatform();
    const ServerConfig &srv = m_account.smtp;
    if (srv.host.isEmpty())
        throw NetError(NetError::Server, QStringLiteral("No outgoing (SMTP) server is configured for %1.").arg(m_account.name));
    const std::string proto = srv.security == Security::Tls ? "smtps" : "smtp";
    m_session = vmime::net::session::create();
    auto auth = vmime::make_shared<SaslPasswordAuthenticator>(m_account.username, m_password);
    m_transport = m_session->getTransport(vmime::utility::url(proto, srv.host.toStdString(), srv.port), auth);
    const std::string prefix = "transport." + proto + ".";
    m_session->getProperties()[prefix + "options.need-authentication"] = true;
    m_verifier = applyConnectionPolicy(*m_transport, *m_session, prefix, srv, m_trust, m_cancel, makeTimeout(60), true, m_budget);
    // vmime reads every SMTP reply itself: none may be longer than this.
    m_budget->set(kReplyBudget, "the greeting and login");
    m_session->getProperties()[prefix + "options.sasl.fallback"] = false;
    const TlsServerName sni(srv.host);
    try {
        m_transport->connect();
    } catch (const std::exception &e) {
        NetError err = translateVmimeError(e, m_verifier->problem(), *m_cancel, srv.host, srv.port);
        m_transport.reset();
        throw err;
    }
    if (srv.security != Security::None && !m_transport->isSecuredConnection()) {
        m_transport->disconnect();
        throw NetError(NetError::Tls, QStringLiteral("The connection to %1 is not encrypted.").arg(srv.host));
    }
}

void SmtpSession::send(const QByteArray &raw, const QString &envelopeFrom, const QStringList &recipients)
{
    vmime::mailboxList rcpts;
    for (const QString &r : recipients)
        rcpts.appendMailbox(vmime::make_shared<vmime::mailbox>(vmime::emailAddress(r.toStdString())));
    std::string data(raw.constData(), size_t(raw.size()));
    vmime::utility::inputStreamStringAdapter is(data);
    const QString where = QStringLiteral("%1:%2").arg(m_account.smtp.host).arg(m_account.smtp.port);
    m_budget->set(kReplyBudget, "the replies to sending a message");
    try {
        m_transport->send(vmime::mailbox(vmime::emailAddress(envelopeFrom.toStdString())), rcpts, is, data.size());
    } catch (const vmime::exceptions::command_error &e) {
        const QString response = QString::fromStdString(e.response()).trimmed();
        const QString cmd = QString::fromStdString(e.command()).section(QLatin1Char(' '), 0, 1);
        QString cause = response;
        if (cmd.startsWith(QLatin1String("RCPT"), Qt::CaseInsensitive))
            cause = QStringLiteral("a recipient was refused: %1").arg(response);
        else if (response.startsWith(QLatin1String("552")) || response.contains(QLatin1String("size"), Qt::CaseInsensitive))
            cause = QStringLiteral("the message is too big for the server: %1").arg(response);
        throw NetError(NetError::Server, QStringLiteral("%1 did not accept the message: %2").arg(where, cause));
    } catch (const std::exception &e) {
        NetError err = translateVmimeError(e, {}, *m_cancel, m_account.smtp.host, m_account.smtp.port);
        throw NetError(err.kind() == NetError::Server ? NetError::Server : err.kind(), err.message());
    }
}

void SmtpSession::disconnect()
{
    try {
        if (m_transport && m_transport->isConnected()) m_transport->disconnect();
    } catch (...) {
    }
    m_transport.reset();
}

} // namespace heron::net
