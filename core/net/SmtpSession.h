#pragma once
// Message submission through vmime's SMTP transport: implicit TLS (465) or
// STARTTLS required (587); plaintext only when the user chose it. Same
// certificate verifier and STARTTLS guard as IMAP. Thread: one thread.
// Errors: NetError. A server refusal (e.g. 550 for a recipient, 552 too big)
// is NetError::Server with the server's words in the message.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/VmimeSupport.h"

#include <QStringList>

namespace heron::net {

class SmtpSession {
public:
    SmtpSession(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel = {});
    ~SmtpSession();
    void connect();
    void send(const QByteArray &raw, const QString &envelopeFrom, const QStringList &recipients);
    void disconnect();

private:
    AccountConfig m_account;
    QString m_password;
    TrustPolicy m_trust;
    CancelFlag m_cancel;
    vmime::shared_ptr<vmime::net::session> m_session;
    vmime::shared_ptr<vmime::net::transport> m_transport;
    vmime::shared_ptr<CertificateVerifier> m_verifier;
    ReadBudgetPtr m_budget = std::make_shared<ReadBudget>();
    static constexpr int64_t kReplyBudget = 1 << 20; // all replies of one phase together
};

} // namespace heron::net
