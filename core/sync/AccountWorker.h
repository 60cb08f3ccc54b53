#pragma once
// Runs the network side of one IMAP account on its own thread.
// Two workers per account (see AccountManager): one for background sync, one
// for interactive requests (open this message, replay my changes now) so those
// never queue behind a 100k-message backfill.
//
// Thread: constructed on the GUI thread, then moved to a worker QThread; every
// slot runs on that thread (asserted). It owns its own MailStore connection and
// its ImapSession; nothing vmime crosses threads. Results go out as queued signals.
// Cancellation: cancel() is thread-safe and stops the running request at the
// next network read.
// Errors: no exception leaves a slot. Whatever is thrown (NetError, StoreError,
// vmime, std) becomes failed() (or bodyFailed() and the like) and the worker
// goes on with its next request on a fresh connection.
#include "account/Profile.h"
#include "net/NetError.h"
#include "net/ImapSession.h"
#include "sync/AccountSync.h"

#include <QObject>

#include <memory>

namespace heron::sync {

class BodySync;

class AccountWorker : public QObject {
    Q_OBJECT
public:
    AccountWorker(Profile profile, AccountConfig account);
    ~AccountWorker() override;
    void cancel() { *m_cancel = true; }
    // For good (thread-safe): the running request is cancelled and every
    // request still queued returns at once. For quitting and removing accounts.
    void stop()
    {
        m_stopped = true;
        *m_cancel = true;
    }
    // Clears a cancel() before new work is queued (thread-safe).
    void resume() { *m_cancel = false; }
    // Ends watchInbox()'s pause after an error at once (the server is back).
    void wake() { m_wake = true; }

public Q_SLOTS:
    void setPassword(const QString &password);
    // Full pass (folder empty) or one folder by raw name.
    void sync(const QString &folderRaw);
    void fetchBody(qint64 messageId);
    // One slice (about 1.5 s) of the offline body download (sync/BodySync.h);
    // queues the next slice behind whatever was asked meanwhile, until the
    // offline window is complete. Started by sync().
    void downloadBodies();
    // Places new messages in their conversations and brings the search index
    // up to date with what is stored (new messages, bodies from an older
    // Heron), in slices; emits indexUpdated() after.
    void catchUpIndex();
    // Message text search in one mailbox: the cached bodies, and the server's
    // SEARCH when useServer (IMAP, online). Answers with searchResults.
    void search(qint64 mailboxId, const QString &text, bool useServer);
    void replay();
    void uploadDrafts();
    // Keeps an IDLE connection on the INBOX (RFC 2177) and emits inboxChanged()
    // when the server reports new, expunged or changed messages; reconnects
    // after errors with a pause. Runs until cancel(): use a worker of its own.
    // Returns at once when the server has no IDLE (the periodic check remains).
    void watchInbox();
    void shutdown();

Q_SIGNALS:
    void statusText(const QString &text);
    void progress(qint64 mailboxId, int cached, int total);
    void mailboxChanged(qint64 mailboxId);
    void foldersChanged(qint64 accountId);
    void syncFinished(bool ok);
    void bodyReady(qint64 messageId);
    void bodyFailed(qint64 messageId, const QString &message);
    // kind: a net::NetError::Kind. info is set for certificate problems.
    void failed(int kind, const QString &message, const heron::net::CertificateInfo &info);
    void replayed(int count);
    void inboxChanged();
    // serverAsked: the server searched too (else only the cached bodies were).
    void searchResults(qint64 mailboxId, const QString &text, const QList<qint64> &ids, bool serverAsked);
    // watchInbox() ended: the server has no IDLE, or it was cancelled.
    void watchEnded(bool supported);
    // The server accepted an IDLE (true), or the IDLE connection broke (false).
    void idling(bool on);
    // The outbox of this account was worked on (sent, failed, still queued).
    void outboxChanged(qint64 accountId);
    // The search index learnt new messages or texts (a search may find more now).
    void indexUpdated();

private:
    bool ensureStore();
    bool syncImap(const QString &folderRaw);
    bool syncPop3();
    void sendOutbox();
    // Inside a catch block: tells the manager (failed) and drops a broken connection.
    void reportCurrentException();
    Profile m_profile;
    AccountConfig m_account;
    QString m_password;
    net::CancelFlag m_cancel;
    std::unique_ptr<store::MailStore> m_store;
    std::unique_ptr<AccountSync> m_sync;
    std::unique_ptr<BodySync> m_bodies; // a download under way (its counts span slices)
    bool m_bodiesQueued = false;
    bool m_catchUpRetry = false; // catchUpIndex() failed and is due again
    int64_t m_bodiesDone = 0;
    std::unique_ptr<net::ImapSession> m_idle;
    std::atomic_bool m_wake{false};
    std::atomic_bool m_stopped{false};
    bool m_replayRetry = false; // a retry of replay() is scheduled (the lease was taken)
    int m_replayRetryMs = 0;
};

} // namespace heron::sync

