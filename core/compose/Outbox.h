#pragma once
// The outbox: a message to send is stored durably first, then moves
//   Queued -> Claimed -> Sending -> Sent -> Filing (copy saved to Sent) -> removed,
// each state committed before the next step. Failures:
//   - offline / server down at connect: stays Queued, goes when the account is back;
//   - refused by the server (550, 552...): Failed, with the server's words; editable, resendable;
//   - connection lost during the transfer, or a crash/kill while Sending: Unknown —
//     it may or may not have been sent, and only the user decides (retry or discard).
// Nothing is ever resent by itself.
//
// At most once, whoever else has the profile open: a row is claimed for
// sending by a compare-and-set (queued -> sending, owner = this process) in
// one statement, so of two processes or threads flushing one outbox exactly
// one sends each message; a row discarded before its claim is never sent; and
// only rows whose owner process is dead are declared Unknown after a crash
// (store/Lease.h). Every state is committed with synchronous=FULL before the
// next network step.
// Thread: the thread that owns the MailStore.
#include "account/Profile.h"
#include "compose/MessageComposer.h"
#include "net/NetError.h"
#include "net/VmimeSupport.h"
#include "store/MailStore.h"

#include <memory>

namespace heron::net { class ImapSession; }

namespace heron::compose {

struct OutboxEntry {
    int64_t id = 0;
    int64_t accountId = 0;
    QString state; // "queued", "claimed", "sending", "sent", "filing", "failed", "unknown"
    QString subject;
    QStringList recipients;
    QString error;
};

struct OutboxResult {
    int sent = 0;
    int savedToSent = 0;
    int failed = 0;
    int stillQueued = 0;
    QStringList errors;
};

class Outbox {
public:
    explicit Outbox(store::MailStore &store);
    ~Outbox();
    int64_t enqueue(int64_t accountId, const BuiltMessage &m, const QString &subject);
    // After a crash: whatever a dead process was Sending becomes Unknown.
    int recoverAfterCrash();
    // Something to send or to file in Sent.
    bool hasWork(int64_t accountId);
    std::vector<OutboxEntry> entries(int64_t accountId);
    bool retry(int64_t id);   // Failed/Unknown -> Queued
    bool discard(int64_t id);
    // Drafts. A draft is written here first (durable at once, no network), then
    // uploadDrafts() APPENDs it to the Drafts folder and, only after that
    // succeeded, removes the previous server copy. draftId 0 creates one;
    // replacesUid is the server copy it continues (a reopened draft).
    int64_t saveDraft(int64_t draftId, int64_t accountId, const BuiltMessage &m, const QString &subject,
                      uint32_t replacesUid = 0);
    // The composer closed: once uploaded, the row goes (the server copy is the draft).
    void closeDraft(int64_t draftId);
    // Discarded or sent: the server copy is removed too (through the operation queue).
    void dropDraft(int64_t draftId, uint32_t serverUidIfNoRow = 0, int64_t accountIdIfNoRow = 0);
    // Stores dirty drafts on the server (IMAP) or in the local Drafts folder (POP3).
    int uploadDrafts(const AccountConfig &account, const QString &password, const Profile &profile,
                     net::CancelFlag cancel = {});

    // Sends what is queued for the account and files copies in Sent.
    OutboxResult process(const AccountConfig &account, const QString &password, const Profile &profile,
                         net::CancelFlag cancel = {});

private:
    // Rows in `state` whose owner process is dead get `assignments` (SQL).
    int recoverDeadOwners(const char *state, const char *assignments);
    std::optional<int64_t> nextQueued(int64_t accountId);
    bool claim(int64_t id);
    // Moves a row this process claimed from one state to the next, and only
    // from that state (compare-and-set); false when it was not there.
    bool transition(int64_t id, const char *from, const char *to, const QString &error = QString());
    void fileInSent(const AccountConfig &account, const QString &password, const Profile &profile, int64_t id,
                    const QByteArray &raw, net::CancelFlag cancel, OutboxResult *result);
    void saveToSent(const AccountConfig &account, const QString &password, const Profile &profile, int64_t id,
                    const QByteArray &raw, net::CancelFlag cancel);
    store::MailStore &m_store;
    std::unique_ptr<net::ImapSession> m_imap; // files the copies of one process() run
    QByteArray m_sentFolder;
};

} // namespace heron::compose
