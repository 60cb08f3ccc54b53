#pragma once
// Shared vmime plumbing for the IMAP, POP3 and SMTP sessions: the platform
// handler, an authenticator that hands vmime the password without putting it
// into session properties, and a timeout handler backed by a cancel flag.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/GuardedSocket.h"
#include "net/NetError.h"

#include <vmime/vmime.hpp>
#include <vmime/security/sasl/defaultSASLAuthenticator.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace heron::net {

void ensureVmimePlatform();

// vmime 0.9.2 never sets SNI (the TLS server name). While one of these lives,
// TLS sessions that vmime opens on this thread name this host (not an IP
// literal, RFC 6066), so hosts serving several names present the right
// certificate. Implemented by wrapping gnutls_init (see VmimeSupport.cpp).
class TlsServerName {
public:
    explicit TlsServerName(const QString &host);
    ~TlsServerName();
    TlsServerName(const TlsServerName &) = delete;
    TlsServerName &operator=(const TlsServerName &) = delete;
private:
    std::string m_previous;
};

using CancelFlag = std::shared_ptr<std::atomic_bool>;

class PasswordAuthenticator : public vmime::security::defaultAuthenticator {
public:
    PasswordAuthenticator(QString user, QString password)
        : m_user(user.toStdString()), m_password(password.toStdString()) {}
    ~PasswordAuthenticator() override { std::fill(m_password.begin(), m_password.end(), '\0'); }
    const vmime::string getUsername() const override { return m_user; }
    const vmime::string getPassword() const override { return m_password; }
private:
    std::string m_user;
    std::string m_password;
};

// The same for SASL mechanisms (SMTP AUTH, POP3 AUTH).
class SaslPasswordAuthenticator : public vmime::security::sasl::defaultSASLAuthenticator {
public:
    SaslPasswordAuthenticator(QString user, QString password)
        : m_user(user.toStdString()), m_password(password.toStdString()) {}
    ~SaslPasswordAuthenticator() override { std::fill(m_password.begin(), m_password.end(), '\0'); }
    const vmime::string getUsername() const override { return m_user; }
    const vmime::string getPassword() const override { return m_password; }
    // One mechanism, the best one offered: vmime would otherwise try every
    // mechanism in turn with the same wrong password, and each failed attempt
    // costs seconds (servers delay failures and penalise the next logins from
    // the same address) and counts towards an account lock-out.
    const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>> getAcceptableMechanisms(
        const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>> &available,
        vmime::shared_ptr<vmime::security::sasl::SASLMechanism> suggested) const override
    {
        auto all = defaultSASLAuthenticator::getAcceptableMechanisms(available, suggested);
        if (all.size() > 1) all.resize(1);
        return all;
    }
private:
    std::string m_user;
    std::string m_password;
};

// Seconds of silence after which a server that should be answering is given
// up on. A shared value: a connection that waits on purpose (IDLE) sets it to
// 0, "never, only when cancelled", and back. HERON_NET_TIMEOUT (seconds)
// overrides the default, so tests can show that an idle connection outlives it.
using TimeoutSeconds = std::shared_ptr<std::atomic_int>;
TimeoutSeconds makeTimeout(int defaultSeconds);

// Times out after the shared number of seconds without progress (never while
// it is 0), or at once when cancelled.
class CancellableTimeout : public vmime::net::timeoutHandler {
public:
    CancellableTimeout(CancelFlag cancel, TimeoutSeconds seconds) : m_cancel(std::move(cancel)), m_seconds(std::move(seconds)) { resetTimeOut(); }
    bool isTimeOut() override
    {
        if (m_cancel && *m_cancel) return true;
        const int s = *m_seconds;
        if (s <= 0) {
            m_start = std::chrono::steady_clock::now(); // the wait starts when the timeout is back on
            return false;
        }
        return std::chrono::steady_clock::now() - m_start > std::chrono::seconds(s);
    }
    void resetTimeOut() override { m_start = std::chrono::steady_clock::now(); }
    bool handleTimeOut() override { return false; }
private:
    CancelFlag m_cancel;
    TimeoutSeconds m_seconds;
    std::chrono::steady_clock::time_point m_start;
};

class CancellableTimeoutFactory : public vmime::net::timeoutHandlerFactory {
public:
    CancellableTimeoutFactory(CancelFlag cancel, TimeoutSeconds seconds) : m_cancel(std::move(cancel)), m_seconds(std::move(seconds)) {}
    vmime::shared_ptr<vmime::net::timeoutHandler> create() override
    {
        return vmime::make_shared<CancellableTimeout>(m_cancel, m_seconds);
    }
private:
    CancelFlag m_cancel;
    TimeoutSeconds m_seconds;
};

// Applies Heron's connection policy to a vmime store or transport before it
// connects: TLS (implicit via the "s" protocol, or STARTTLS *required*) unless
// the user chose an unencrypted connection — vmime's default, optional STARTTLS,
// would send the password in clear —, our certificate verifier instead of
// vmime's, the STARTTLS guard socket, and cancellable timeouts.
// prefix is "store.imaps." and the like. Returns the verifier (for its problem()).
vmime::shared_ptr<CertificateVerifier> applyConnectionPolicy(vmime::net::service &service, vmime::net::session &session,
                                                             const std::string &prefix, const ServerConfig &server,
                                                             const TrustPolicy &trust, const CancelFlag &cancel,
                                                             const TimeoutSeconds &timeout, bool sasl,
                                                             const ReadBudgetPtr &budget);

// Turns whatever vmime threw during connect/login into a NetError the user can act on.
NetError translateVmimeError(const std::exception &e, const CertificateInfo &certProblem, bool cancelled,
                             const QString &host, int port);

} // namespace heron::net
