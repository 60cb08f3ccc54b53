#pragma once
// One POP3 connection through vmime (POP3S, or STLS required; plaintext only
// when the user chose it). Same certificate verifier and STARTTLS guard as IMAP.
// Thread: one thread. Errors: NetError; after one, the session is unusable.
// Deletions (DELE) take effect only at quit(), as POP3 defines.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/VmimeSupport.h"

#include <vector>

namespace heron::net {

struct Pop3Entry {
    size_t number = 0; // this session's message number
    QString uidl;
    size_t size = 0;
};

class Pop3Session {
public:
    Pop3Session(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel = {});
    ~Pop3Session();
    void connect();
    std::vector<Pop3Entry> list();
    // RETR, reading at most maxBytes of message (the size in LIST is a claim,
    // not a limit): past it, NetError::TooLarge, and the session is unusable
    // (the rest of the message was not read; connect again).
    QByteArray retrieve(size_t number, int64_t maxBytes);
    void markDeleted(size_t number);
    // QUIT: commits the deletions.
    void quit();

private:
    [[noreturn]] void fail(const std::exception &e, const char *what);
    void dropConnection();
    static constexpr size_t kMaxMessages = 2'000'000;
    AccountConfig m_account;
    QString m_password;
    TrustPolicy m_trust;
    CancelFlag m_cancel;
    vmime::shared_ptr<vmime::net::session> m_session;
    vmime::shared_ptr<vmime::net::store> m_store;
    vmime::shared_ptr<vmime::net::folder> m_inbox;
    std::vector<vmime::shared_ptr<vmime::net::message>> m_messages;
    bool m_quit = false;
    ReadBudgetPtr m_budget = std::make_shared<ReadBudget>();
};

} // namespace heron::net
