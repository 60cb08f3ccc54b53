#include "sync/AccountWorker.h"

#include "compose/Outbox.h"
#include "mime/MessageContent.h"
#include "search/Query.h"
#include "search/SearchIndex.h"
#include "threads/Threads.h"
#include "sync/BodySync.h"
#include "sync/Pop3Fetch.h"
#include "util/ErrorText.h"

#include <QDateTime>
#include <QLocale>
#include <QThread>
#include <QTimer>

namespace heron::sync {

namespace {
// DONE and a new IDLE this often: well inside RFC 2177's 29 minutes, and often
// enough to notice a connection that died silently (a NAT that forgot it, a
// suspended laptop) and to keep such middle boxes from forgetting it.
constexpr int kIdleRenewSeconds = 10 * 60;
} // namespace

AccountWorker::AccountWorker(Profile profile, AccountConfig account)
    : m_profile(std::move(profile)), m_account(std::move(account)), m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<heron::net::CertificateInfo>();
}

AccountWorker::~AccountWorker() = default;

bool AccountWorker::ensureStore()
{
    if (m_store) return true;
    try {
        m_store = std::make_unique<store::MailStore>(m_profile.databasePath());
        return true;
    } catch (...) {
        const util::ErrorText t = util::describeCurrentException();
        Q_EMIT failed(int(net::NetError::Protocol), QStringLiteral("Cannot open the local cache: %1").arg(t.message), {});
        return false;
    }
}

void AccountWorker::setPassword(const QString &password)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_password = password;
    m_sync.reset(); // reconnect with the new password
}

void AccountWorker::reportCurrentException()
{
    const util::ErrorText t = util::describeCurrentException();
    // vmime objects are unusable after an error: start afresh next time. A
    // refusal of one command (Server) leaves the connection usable.
    if (t.kind != net::NetError::Server) m_sync.reset();
    Q_EMIT failed(int(t.kind), t.message, t.info);
}

void AccountWorker::sync(const QString &folderRaw)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) return;
    *m_cancel = false;
    if (!ensureStore()) { Q_EMIT syncFinished(false); return; }
    const bool ok = m_account.isPop3() ? syncPop3() : syncImap(folderRaw);
    // What came is placed in its conversations and searchable soon (before
    // the bodies download, which also indexes what is left).
    QMetaObject::invokeMethod(this, &AccountWorker::catchUpIndex, Qt::QueuedConnection);
    // Outgoing mail does not wait for the incoming server: whatever IMAP or
    // POP3 just did, the outbox goes out if SMTP is reachable.
    if (!*m_cancel) sendOutbox();
    Q_EMIT foldersChanged(m_account.id);
    if (ok) Q_EMIT statusText(QStringLiteral("%1: up to date").arg(m_account.name));
    Q_EMIT syncFinished(ok);
    // Then the bodies of the offline window, in slices behind other requests.
    if (ok && !m_account.isPop3() && !*m_cancel && !m_bodiesQueued) {
        m_bodiesQueued = true;
        QMetaObject::invokeMethod(this, &AccountWorker::downloadBodies, Qt::QueuedConnection);
    }
}

void AccountWorker::catchUpIndex()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped || !ensureStore()) return;
    try {
        const qint64 deadline = QDateTime::currentMSecsSinceEpoch() + 500;
        int total = 0;
        // New messages join their conversations (cheap), then the index; the
        // rest comes after whatever else is queued.
        bool more = false;
        for (int n; !more && (n = threads::assignPending(*m_store, 5000)) > 0;) {
            total += n;
            more = QDateTime::currentMSecsSinceEpoch() >= deadline;
        }
        for (int n; !more && (n = search::indexPending(*m_store, 2000)) > 0;) {
            total += n;
            more = QDateTime::currentMSecsSinceEpoch() >= deadline;
        }
        if (more) QMetaObject::invokeMethod(this, &AccountWorker::catchUpIndex, Qt::QueuedConnection);
        if (total > 0) Q_EMIT indexUpdated();
    } catch (...) {
        // Conversations and the index stay behind (new messages stand alone,
        // searches miss them) until the next try, in a minute or after the
        // next sync; the mail itself is stored.
        qWarning("heron: the search index could not be updated: %s", qPrintable(util::describeCurrentException().message));
        if (!m_catchUpRetry) {
            m_catchUpRetry = true;
            QTimer::singleShot(60'000, this, [this] {
                m_catchUpRetry = false;
                catchUpIndex();
            });
        }
    }
}

void AccountWorker::downloadBodies()
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_bodiesQueued = false;
    if (m_stopped || *m_cancel || !m_sync || !m_store) return;
    try {
        if (!m_bodies) {
            m_bodies = std::make_unique<BodySync>(*m_store, m_account);
            m_bodiesDone = 0;
        }
        m_bodies->setSession(m_sync->session());
        m_bodies->setProgress([this](int64_t done, int64_t total) {
            Q_EMIT statusText(QStringLiteral("%1: downloading messages for offline use (%2 of %3)")
                                  .arg(m_account.name, QLocale().toString(qlonglong(done)), QLocale().toString(qlonglong(total))));
        });
        const BodySyncReport r = m_bodies->run(QDateTime::currentMSecsSinceEpoch() + 1500);
        m_bodiesDone += r.downloaded;
        if (r.indexed > 0 || r.downloaded > 0) Q_EMIT indexUpdated();
        if (!r.complete) {
            m_bodiesQueued = true;
            QMetaObject::invokeMethod(this, &AccountWorker::downloadBodies, Qt::QueuedConnection);
            return;
        }
        m_bodies.reset();
        if (m_bodiesDone > 0) {
            const auto usage = m_store->offlineUsage(m_account.id);
            Q_EMIT statusText(QStringLiteral("%1: up to date; %2 messages available offline")
                                  .arg(m_account.name, QLocale().toString(qlonglong(usage.first))));
        }
    } catch (...) {
        m_bodies.reset();
        reportCurrentException();
    }
}

bool AccountWorker::syncImap(const QString &folderRaw)
{
    try {
        if (!m_sync) {
            m_sync = std::make_unique<AccountSync>(*m_store, m_profile, m_account, m_password, m_cancel);
        }
        m_sync->setLog([this](const QString &line) { Q_EMIT statusText(line); });
        m_sync->setProgress([this](int64_t mailboxId, int cached, int total) {
            Q_EMIT progress(mailboxId, cached, total);
            Q_EMIT mailboxChanged(mailboxId);
        });
        m_sync->setFoldersListed([this] { Q_EMIT foldersChanged(m_account.id); });
        m_sync->setFolderFailed([this](int64_t mailboxId, const QString &) { Q_EMIT mailboxChanged(mailboxId); });
        Q_EMIT statusText(QStringLiteral("Connecting to %1…").arg(m_account.incoming.host));
        m_sync->run(folderRaw);
        return true;
    } catch (...) {
        reportCurrentException();
        return false;
    }
}

bool AccountWorker::syncPop3()
{
    try {
        Q_EMIT statusText(QStringLiteral("Connecting to %1…").arg(m_account.incoming.host));
        Pop3Fetch fetch(*m_store, m_profile, m_account, m_password, m_cancel);
        fetch.setProgress([this](int64_t inbox, int done, int total) {
            Q_EMIT progress(inbox, done, total);
            Q_EMIT mailboxChanged(inbox);
        });
        Q_EMIT foldersChanged(m_account.id);
        Pop3Report r = fetch.run();
        for (const QString &p : r.problems) Q_EMIT statusText(QStringLiteral("%1: %2").arg(m_account.name, p));
        return true;
    } catch (...) {
        reportCurrentException();
        return false;
    }
}

void AccountWorker::uploadDrafts()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) return;
    if (!ensureStore()) return;
    try {
        if (compose::Outbox(*m_store).uploadDrafts(m_account, m_password, m_profile, m_cancel) > 0)
            Q_EMIT foldersChanged(m_account.id);
    } catch (...) {
        // The draft is safe locally; it goes to the server next time.
        const util::ErrorText t = util::describeCurrentException();
        if (t.kind == net::NetError::Server)
            Q_EMIT statusText(QStringLiteral("%1: the draft could not be stored on the server yet: %2").arg(m_account.name, t.message));
        else
            Q_EMIT failed(int(t.kind), t.message, t.info);
    }
}

void AccountWorker::sendOutbox()
{
    // Online now: whatever waits in the outbox goes (Queued only; Unknown waits for the user).
    if (m_account.smtp.host.isEmpty()) return;
    try {
        compose::Outbox outbox(*m_store);
        if (!outbox.hasWork(m_account.id)) return;
        compose::OutboxResult r = outbox.process(m_account, m_password, m_profile, m_cancel);
        if (r.sent) Q_EMIT statusText(QStringLiteral("%1: %2 message(s) sent").arg(m_account.name).arg(r.sent));
        for (const QString &e : r.errors) Q_EMIT statusText(QStringLiteral("%1: %2").arg(m_account.name, e));
        if (r.savedToSent) Q_EMIT foldersChanged(m_account.id);
        Q_EMIT outboxChanged(m_account.id);
    } catch (...) {
        // Only account-wide problems get here (password, certificate, TLS);
        // the messages stay queued.
        const util::ErrorText t = util::describeCurrentException();
        Q_EMIT failed(int(t.kind), t.message, t.info);
        Q_EMIT outboxChanged(m_account.id);
    }
}

void AccountWorker::fetchBody(qint64 messageId)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) return;
    *m_cancel = false;
    if (!ensureStore()) { Q_EMIT bodyFailed(messageId, QStringLiteral("local cache unavailable")); return; }
    try {
        if (m_store->body(messageId)) { Q_EMIT bodyReady(messageId); return; }
        auto m = m_store->message(messageId);
        if (!m) { Q_EMIT bodyFailed(messageId, QStringLiteral("The message is no longer in this folder.")); return; }
        auto mb = m_store->mailbox(m->mailboxId);
        if (!m_sync)
            m_sync = std::make_unique<AccountSync>(*m_store, m_profile, m_account, m_password, m_cancel);
        net::ImapSession &s = m_sync->session();
        const QByteArray raw = mb->name.toLatin1();
        net::ImapSelectInfo info = s.selected() == raw ? net::ImapSelectInfo::alreadySelected(m->uidvalidity) : s.select(raw);
        if (info.uidvalidity != m->uidvalidity) {
            Q_EMIT bodyFailed(messageId, QStringLiteral("The folder was reset on the server; it is being resynchronised."));
            return;
        }
        QByteArray body = s.fetchMessage(m->uid, m->size);
        if (body.isEmpty()) {
            Q_EMIT bodyFailed(messageId, QStringLiteral("The server no longer has this message (deleted elsewhere)."));
            return;
        }
        if (!m_store->isSameMessage(messageId, m->mailboxId, m->uid, m->uidvalidity) || !m_store->storeBody(messageId, body)) {
            Q_EMIT bodyFailed(messageId, QStringLiteral("The message is no longer in this folder."));
            return;
        }
        Q_EMIT bodyReady(messageId);
    } catch (...) {
        const util::ErrorText t = util::describeCurrentException();
        Q_EMIT bodyFailed(messageId, t.message);
        if (t.kind != net::NetError::Server && t.kind != net::NetError::TooLarge) {
            m_sync.reset();
            Q_EMIT failed(int(t.kind), t.message, t.info);
        }
    }
}

void AccountWorker::search(qint64 mailboxId, const QString &text, bool useServer)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) return;
    *m_cancel = false;
    if (!ensureStore()) return;
    QList<qint64> ids;
    bool asked = false;
    try {
        // What is cached is in the full-text index (the window asked it
        // already); the server adds the messages whose text is not downloaded.
        const QStringList words = search::plainWords(text);
        auto mb = m_store->mailbox(mailboxId);
        if (useServer && mb && !m_account.isPop3() && !words.isEmpty()) {
            if (!m_sync) m_sync = std::make_unique<AccountSync>(*m_store, m_profile, m_account, m_password, m_cancel);
            net::ImapSession &s = m_sync->session();
            const QByteArray raw = mb->name.toLatin1();
            const net::ImapSelectInfo info = s.selected() == raw ? net::ImapSelectInfo::alreadySelected(mb->uidvalidity) : s.select(raw);
            if (info.uidvalidity == mb->uidvalidity) {
                for (int64_t id : m_store->idsForUids(mailboxId, s.searchText(words)))
                    if (!m_store->hasBody(id)) ids.push_back(id);
                asked = true;
            }
        }
    } catch (...) {
        // The cached results still count; a broken connection is made again next time.
        if (util::describeCurrentException().kind != net::NetError::Server) m_sync.reset();
    }
    Q_EMIT searchResults(mailboxId, text, ids, asked);
}

void AccountWorker::replay()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) return;
    *m_cancel = false;
    if (!ensureStore()) return;
    try {
        if (m_store->pendingOps(m_account.id).empty()) return;
        if (!m_sync)
            m_sync = std::make_unique<AccountSync>(*m_store, m_profile, m_account, m_password, m_cancel);
        ImapSync s(*m_store, m_sync->session(), m_account.id);
        // No blocking wait here (bodies and searches queue behind this): if
        // another connection or process is replaying right now, try again in
        // a moment, from this thread's event loop.
        const int n = s.replayPending(0, m_cancel);
        if (n < 0) {
            // One retry at a time, backing off (0.3 s doubling to 10 s); a
            // cancel (Work Offline, quit) drops it.
            if (!m_replayRetry) {
                m_replayRetry = true;
                m_replayRetryMs = m_replayRetryMs == 0 ? 300 : std::min(m_replayRetryMs * 2, 10000);
                QTimer::singleShot(m_replayRetryMs, this, [this] {
                    m_replayRetry = false;
                    if (!m_stopped && !*m_cancel) replay();
                });
            }
            return;
        }
        m_replayRetryMs = 0;
        Q_EMIT replayed(n);
    } catch (...) {
        reportCurrentException();
    }
}

void AccountWorker::watchInbox()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_stopped) { Q_EMIT watchEnded(true); return; }
    int pauseSeconds = 0; // the manager resume()s before queueing this
    while (!*m_cancel) {
        try {
            if (!m_idle) {
                m_idle = std::make_unique<net::ImapSession>(m_account, m_password, m_profile.trustPolicy(), m_cancel);
                m_idle->connect();
                if (!m_idle->hasCapability("IDLE")) {
                    m_idle->logout();
                    m_idle.reset();
                    Q_EMIT watchEnded(false);
                    return;
                }
                m_idle->select("INBOX");
                pauseSeconds = 0;
                // Whatever arrived between the last sync and this SELECT is
                // not news to IDLE: have the INBOX checked once now.
                Q_EMIT inboxChanged();
            }
            // Servers drop an IDLE after 30 minutes (RFC 2177): renew it before.
            if (m_idle->idle([this] { return bool(*m_cancel); }, kIdleRenewSeconds, [this] { Q_EMIT idling(true); }))
                Q_EMIT inboxChanged();
        } catch (...) {
            m_idle.reset();
            Q_EMIT idling(false);
            if (util::describeCurrentException().kind == net::NetError::Cancelled || *m_cancel) break;
            // The sync connection reports problems to the user; this one just
            // tries again later (5 s, doubling, at most 5 minutes).
            pauseSeconds = pauseSeconds == 0 ? 5 : std::min(pauseSeconds * 2, 300);
            m_wake = false;
            for (int i = 0; i < pauseSeconds * 10 && !*m_cancel && !m_wake; ++i) QThread::msleep(100);
        }
    }
    if (m_idle) {
        try { m_idle->logout(); } catch (...) {}
        m_idle.reset();
    }
    Q_EMIT watchEnded(true);
}

void AccountWorker::shutdown()
{
    // Destructors of vmime objects talk to the server (LOGOUT): nothing may escape.
    try { m_idle.reset(); } catch (...) {}
    try { if (m_sync) m_sync->disconnect(); } catch (...) {}
    try { m_sync.reset(); } catch (...) {}
    try { m_store.reset(); } catch (...) {}
}

} // namespace heron::sync
