#pragma once
// Brings the cache of one IMAP account up to date with the server.
//
// Order within a mailbox (each step survives a crash because the cache state
// is "which UIDs are stored", committed batch by batch, and the sync marks are
// written in the same transaction as the data they cover):
//   1. SELECT; a changed UIDVALIDITY wipes the mailbox cache first (never mixed).
//   2. The newest missing messages (one small batch) so the first screen shows at once.
//   3. Deletions: cached UIDs the server no longer has.
//   4. Flags: CHANGEDSINCE the stored HIGHESTMODSEQ (or all flags without CONDSTORE),
//      committed together with the new HIGHESTMODSEQ.
//   5. Backfill the remaining missing messages, newest first, in batches; UIDNEXT is
//      recorded with the last batch, so "nothing changed" can be detected cheaply.
// UIDs with a queued local operation are left alone until it has been replayed.
//
// Thread: runs on the thread that owns the session and the store.
#include "net/ImapSession.h"
#include "store/MailStore.h"

#include <functional>
#include <set>

namespace heron::sync {

struct MailboxSyncResult {
    int added = 0;
    int removed = 0;
    int flagsChanged = 0;
    bool wasReset = false;
    int total = 0;
};

class ImapSync {
public:
    // Called after every committed batch: (mailboxId, messages cached, messages on server).
    using Progress = std::function<void(int64_t mailboxId, int cached, int total)>;

    ImapSync(store::MailStore &store, net::ImapSession &session, int64_t accountId);
    // After a reconnect (the old session is gone).
    void setSession(net::ImapSession &session) { m_session = &session; }

    void setProgress(Progress p) { m_progress = std::move(p); }
    void setFirstBatch(int n) { m_firstBatch = n; }
    void setBatch(int n) { m_batch = n; }

    void syncFolderList();
    MailboxSyncResult syncMailbox(int64_t mailboxId);
    // Replays queued operations in order. Server refusals fail the operation
    // visibly and go on; network errors stop (it stays queued) and rethrow.
    // One replayer per account at a time, across threads and processes (the
    // lease "replay:<account>", waited for at most waitMs; -1 when another
    // replayer kept it). Operations queued while it runs are replayed too.
    int replayPending(int waitMs = 30000, const std::shared_ptr<std::atomic_bool> &cancel = {});

private:
    // A copy, or a move on a server without MOVE, that never copies twice.
    void replayCopy(const store::PendingOp &op, bool move);
    // The UIDs of source whose Message-ID dest does not hold yet.
    std::vector<uint32_t> notYetCopied(const QByteArray &source, const QByteArray &dest, const std::vector<uint32_t> &uids);
    std::set<uint32_t> uidsWithPendingOps(const QString &mailbox);
    void storeBatch(int64_t mailboxId, uint32_t uidvalidity, const std::vector<MessageRecord> &batch,
                    uint32_t uidnextToRecord, int *added);
    void fetchAndStore(int64_t mailboxId, uint32_t uidvalidity, const std::vector<uint32_t> &uids,
                       const std::set<uint32_t> &skip, uint32_t uidnextToRecord, int *added);

    store::MailStore &m_store;
    net::ImapSession *m_session;
    int64_t m_accountId;
    Progress m_progress;
    int m_firstBatch = 100;
    int m_batch = 2000;
};

} // namespace heron::sync
