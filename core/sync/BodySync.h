#pragma once
// Downloads the bodies that an IMAP account's offline policy keeps (see
// store::MailStore, "Offline policy"), after the headers: newest first across
// the account's folders, several messages per UID FETCH and two commands in
// flight, each batch committed with its index entries in one transaction.
// Resumable by construction: what is wanted is "in the window and not cached",
// so a run after a kill goes on where the last commit left it. Bodies the
// policy no longer keeps are evicted first.
//
// Priority: it runs on the account's sync connection in slices (run() with a
// deadline), so what the user asks for (opening a message: the interactive
// connection; a folder sync: queued between slices) never waits for it.
// Thread: the thread that owns the store and the session.
#include "account/AccountConfig.h"
#include "net/ImapSession.h"
#include "store/MailStore.h"

#include <functional>
#include <set>

namespace heron::sync {

struct BodySyncReport {
    int downloaded = 0;
    int indexed = 0;       // messages that joined the search index
    int64_t bytes = 0;
    int evicted = 0;
    int64_t remaining = 0; // still wanted after this run
    bool complete = false; // nothing more to download
};

class BodySync {
public:
    // (downloaded so far in this run, wanted when it started)
    using Progress = std::function<void(int64_t done, int64_t total)>;

    BodySync(store::MailStore &store, const AccountConfig &account);
    void setSession(net::ImapSession &session) { m_session = &session; }
    void setProgress(Progress p) { m_progress = std::move(p); }
    // At most this many messages or bytes per UID FETCH.
    void setBatch(int messages, int64_t bytes) { m_batchMessages = messages; m_batchBytes = bytes; }
    // Off: bodies are stored without their words in the index (only for the
    // benchmark, which measures what indexing adds to the download).
    void setIndexing(bool on) { m_indexing = on; }

    // Until nothing is wanted, or the deadline passes (ms since the epoch,
    // 0: none; the commands in flight are finished first). Throws NetError.
    BodySyncReport run(qint64 deadlineMs = 0);

private:
    void fetchGroup(int64_t mailboxId, const std::vector<store::MailStore::BodyWanted> &group, qint64 deadlineMs,
                    BodySyncReport *report, int64_t total);

    store::MailStore &m_store;
    AccountConfig m_account;
    net::ImapSession *m_session = nullptr;
    Progress m_progress;
    int m_batchMessages = 50;
    int64_t m_batchBytes = 4 << 20;
    bool m_swept = false;
    bool m_indexing = true;
    std::set<int64_t> m_unavailable;   // the server did not return them (expunged meanwhile, refused)
    std::set<int64_t> m_refusedFolders; // SELECT refused: left to the folder's sync to explain
    int64_t m_done = 0;
    int64_t m_total = -1;
};

} // namespace heron::sync
