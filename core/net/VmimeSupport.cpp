#include "net/VmimeSupport.h"

#include "net/GuardedSocket.h"

#include <vmime/platforms/posix/posixHandler.hpp>
#include <vmime/security/cert/certificateException.hpp>

#include <QHostAddress>

#include <dlfcn.h>
#include <gnutls/gnutls.h>

#include <mutex>

namespace {
thread_local std::string t_serverName; // set by TlsServerName around vmime's connect
}

// vmime creates every GnuTLS client session with gnutls_init and offers no
// hook to name the server. This definition in the program takes precedence
// over GnuTLS's own for libvmime's calls (ordinary ELF symbol interposition),
// calls the real one, and adds the server name for the connection this
// thread is making. Other sessions (no TlsServerName active) are unchanged.
extern "C" int gnutls_init(gnutls_session_t *session, unsigned int flags)
{
    using Init = int (*)(gnutls_session_t *, unsigned int);
    static const Init real = reinterpret_cast<Init>(dlsym(RTLD_NEXT, "gnutls_init"));
    if (!real) return GNUTLS_E_INTERNAL_ERROR;
    const int rc = real(session, flags);
    if (rc == GNUTLS_E_SUCCESS && (flags & GNUTLS_CLIENT) && !t_serverName.empty())
        gnutls_server_name_set(*session, GNUTLS_NAME_DNS, t_serverName.data(), t_serverName.size());
    return rc;
}

namespace heron::net {

TlsServerName::TlsServerName(const QString &host) : m_previous(t_serverName)
{
    QString h = host.trimmed();
    if (h.endsWith(QLatin1Char('.'))) h.chop(1);
    const bool literal = !QHostAddress(h).isNull();
    t_serverName = literal ? std::string() : h.toLower().toStdString();
}

TlsServerName::~TlsServerName() { t_serverName = m_previous; }

void ensureVmimePlatform()
{
    static std::once_flag once;
    std::call_once(once, [] { vmime::platform::setHandler<vmime::platforms::posix::posixHandler>(); });
}

TimeoutSeconds makeTimeout(int defaultSeconds)
{
    const int configured = qEnvironmentVariableIntValue("HERON_NET_TIMEOUT");
    return std::make_shared<std::atomic_int>(configured > 0 ? configured : defaultSeconds);
}

vmime::shared_ptr<CertificateVerifier> applyConnectionPolicy(vmime::net::service &service, vmime::net::session &session,
                                                             const std::string &prefix, const ServerConfig &server,
                                                             const TrustPolicy &trust, const CancelFlag &cancel,
                                                             const TimeoutSeconds &timeout, bool sasl,
                                                             const ReadBudgetPtr &budget)
{
    auto &props = session.getProperties();
    props[prefix + "options.sasl"] = sasl;
    props[prefix + "options.sasl.fallback"] = sasl;
    props[prefix + "connection.tls"] = server.security == Security::StartTls;
    props[prefix + "connection.tls.required"] = server.security == Security::StartTls;
    auto verifier = vmime::make_shared<CertificateVerifier>(trust, server.host, server.port);
    service.setCertificateVerifier(verifier);
    service.setTimeoutHandlerFactory(vmime::make_shared<CancellableTimeoutFactory>(cancel, timeout));
    service.setSocketFactory(vmime::make_shared<GuardedSocketFactory>(vmime::platform::getHandler()->getSocketFactory(), budget));
    return verifier;
}

NetError translateVmimeError(const std::exception &e, const CertificateInfo &certProblem, bool cancelled,
                             const QString &host, int port)
{
    const QString where = QStringLiteral("%1:%2").arg(host).arg(port);
    if (cancelled)
        return NetError(NetError::Cancelled, QStringLiteral("cancelled"));
    if (certProblem.isValid())
        return NetError(NetError::Certificate,
                        QStringLiteral("The certificate of %1 is not trusted: %2").arg(where, certProblem.reason),
                        certProblem);
    if (dynamic_cast<const vmime::security::cert::certificateException *>(&e))
        return NetError(NetError::Certificate, QStringLiteral("The certificate of %1 is not valid: %2")
                                                   .arg(where, QString::fromUtf8(e.what())));
    if (dynamic_cast<const ReadBudgetExceeded *>(&e))
        return NetError(NetError::Protocol, QStringLiteral("%1 sent an oversized reply (%2); connection closed.")
                                                .arg(where, QString::fromUtf8(e.what())));
    if (dynamic_cast<const vmime::exceptions::authentication_error *>(&e))
        return NetError(NetError::Auth, QStringLiteral("%1 rejected the user name or password.").arg(where));
    if (dynamic_cast<const vmime::exceptions::operation_timed_out *>(&e))
        return NetError(NetError::Timeout, QStringLiteral("%1 did not answer in time.").arg(where));
    if (dynamic_cast<const vmime::exceptions::tls_exception *>(&e))
        return NetError(NetError::Tls, QStringLiteral("Could not establish a secure (TLS) connection to %1: %2")
                                           .arg(where, QString::fromUtf8(e.what())));
    if (auto ce = dynamic_cast<const vmime::exceptions::command_error *>(&e)) {
        QString cmd = QString::fromStdString(ce->command());
        if (cmd.contains(QLatin1String("STARTTLS"), Qt::CaseInsensitive) ||
            cmd.contains(QLatin1String("STLS"), Qt::CaseInsensitive))
            return NetError(NetError::Tls, QStringLiteral("%1 does not offer STARTTLS, and this account requires "
                                                          "an encrypted connection.").arg(where));
        QString resp = QString::fromStdString(ce->response()).trimmed();
        if (cmd.contains(QLatin1String("LOGIN"), Qt::CaseInsensitive) ||
            cmd.contains(QLatin1String("AUTH"), Qt::CaseInsensitive) ||
            cmd.contains(QLatin1String("PASS"), Qt::CaseInsensitive) ||
            cmd.contains(QLatin1String("USER"), Qt::CaseInsensitive))
            return NetError(NetError::Auth, QStringLiteral("%1 rejected the login: %2").arg(where, resp));
        return NetError(NetError::Server, QStringLiteral("%1 refused %2: %3").arg(where, cmd.section(QLatin1Char(' '), 0, 0), resp));
    }
    if (dynamic_cast<const vmime::exceptions::connection_error *>(&e) ||
        dynamic_cast<const vmime::exceptions::socket_exception *>(&e) ||
        dynamic_cast<const vmime::exceptions::connection_greeting_error *>(&e))
        return NetError(NetError::Network, QStringLiteral("Cannot connect to %1: %2").arg(where, QString::fromUtf8(e.what())));
    QString what = QString::fromUtf8(e.what());
    if (what.contains(QLatin1String("TLS"), Qt::CaseInsensitive))
        return NetError(NetError::Tls, QStringLiteral("Secure connection to %1 failed: %2").arg(where, what));
    return NetError(NetError::Network, QStringLiteral("Connection to %1 failed: %2").arg(where, what));
}

} // namespace heron::net
