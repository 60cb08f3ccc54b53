#pragma once
// One sync pass over an IMAP account: connect, replay queued changes, refresh
// the folder list, then sync mailboxes (INBOX first, then the rest, or just
// the one asked for). Used as is by heron-cli and by the GUI's account worker.
#include "account/Profile.h"
#include "net/ImapSession.h"
#include "store/MailStore.h"
#include "sync/ImapSync.h"

#include <functional>
#include <memory>

namespace heron::sync {

struct AccountSyncReport {
    int mailboxes = 0;
    int added = 0;
    int removed = 0;
    int flagsChanged = 0;
    int opsReplayed = 0;
    int failedMailboxes = 0;
    QStringList problems; // one line per folder that failed
};

class AccountSync {
public:
    using Log = std::function<void(const QString &)>;
    AccountSync(store::MailStore &store, const Profile &profile, AccountConfig account, QString password,
                net::CancelFlag cancel = {});
    ~AccountSync();

    void setLog(Log log) { m_log = std::move(log); }
    void setProgress(ImapSync::Progress p) { m_progress = std::move(p); }
    // Called once the folder list is stored, before any mailbox is synced.
    void setFoldersListed(std::function<void()> f) { m_foldersListed = std::move(f); }
    // Called when one folder failed and was skipped (its error is stored on it).
    void setFolderFailed(std::function<void(int64_t mailboxId, const QString &error)> f) { m_folderFailed = std::move(f); }
    void setBatchSizes(int first, int rest) { m_first = first; m_rest = rest; }
    // Whether run() replays queued changes first (off where another worker does it).
    void setReplay(bool replay) { m_replay = replay; }

    // Connects if needed; throws net::NetError.
    net::ImapSession &session();
    // folder empty: every selectable folder.
    AccountSyncReport run(const QString &folder = QString());
    void disconnect();

private:
    store::MailStore &m_store;
    Profile m_profile;
    AccountConfig m_account;
    QString m_password;
    net::CancelFlag m_cancel;
    std::unique_ptr<net::ImapSession> m_session;
    Log m_log;
    ImapSync::Progress m_progress;
    std::function<void()> m_foldersListed;
    std::function<void(int64_t, const QString &)> m_folderFailed;
    int m_first = 100;
    int m_rest = 2000;
    bool m_replay = true;
};

} // namespace heron::sync
