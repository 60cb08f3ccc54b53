#pragma once
// Shared vmime plumbing for the IMAP, POP3 and SMTP sessions: the platform
// handler, an authenticator that hands vmime the password without putting it
// into session properties, and a timeout handler backed by a cancel flag.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/NetError.h"

#include <vmime/vmime.hpp>
#include <vmime/security/sasl/defaultSASLAuthenticator.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace heron::net {

void ensureVmimePlatform();

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
private:
    std::string m_user;
    std::string m_password;
};

// Times out after `seconds` without progress, or at once when cancelled.
class CancellableTimeout : public vmime::net::timeoutHandler {
public:
    CancellableTimeout(CancelFlag cancel, int seconds) : m_cancel(std::move(cancel)), m_seconds(seconds) { resetTimeOut(); }
    bool isTimeOut() override
    {
        return (m_cancel && *m_cancel) || std::chrono::steady_clock::now() - m_start > std::chrono::seconds(m_seconds);
    }
    void resetTimeOut() override { m_start = std::chrono::steady_clock::now(); }
    bool handleTimeOut() override { return false; }
private:
    CancelFlag m_cancel;
    int m_seconds;
    std::chrono::steady_clock::time_point m_start;
};

class CancellableTimeoutFactory : public vmime::net::timeoutHandlerFactory {
public:
    CancellableTimeoutFactory(CancelFlag cancel, int seconds) : m_cancel(std::move(cancel)), m_seconds(seconds) {}
    vmime::shared_ptr<vmime::net::timeoutHandler> create() override
    {
        return vmime::make_shared<CancellableTimeout>(m_cancel, m_seconds);
    }
private:
    CancelFlag m_cancel;
    int m_seconds;
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
                                                             int timeoutSeconds, bool sasl);

// Turns whatever vmime threw during connect/login into a NetError the user can act on.
NetError translateVmimeError(const std::exception &e, const CertificateInfo &certProblem, bool cancelled,
                             const QString &host, int port);

} // namespace heron::net
