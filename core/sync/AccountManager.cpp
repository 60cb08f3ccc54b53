#include "sync/AccountManager.h"

#include "compose/Outbox.h"
#include "store/MailStore.h"
#include "sync/AccountWorker.h"
#include "util/ErrorText.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace heron::sync {

struct AccountManager::Account {
    AccountConfig config;
    QThread *syncThread = nullptr;
    QThread *interactiveThread = nullptr;
    QThread *idleThread = nullptr;     // IMAP only
    AccountWorker *syncWorker = nullptr;
    AccountWorker *interactive = nullptr;
    AccountWorker *idler = nullptr;    // IMAP only: keeps an IDLE on the INBOX
    bool watching = false;             // watchInbox() running (until watchEnded)
    bool idling = false;               // and the server accepted its IDLE
    bool idleUnsupported = false;
    std::vector<std::pair<QThread *, AccountWorker *>> all() const
    {
        std::vector<std::pair<QThread *, AccountWorker *>> out{{syncThread, syncWorker}, {interactiveThread, interactive}};
        if (idler) out.emplace_back(idleThread, idler);
        return out;
    }
    QTimer *checkTimer = nullptr;
    QTimer *retryTimer = nullptr;
    int retrySeconds = 0;
    bool syncing = false;
    bool syncAgain = false;
    bool hasPassword = false;
    bool loadingPassword = false; // the keyring is being asked (on the sync thread)
    bool syncWhenLoaded = false;
    State state = State::Offline;
    QString lastError;
    bool retired = false;
};

AccountManager::AccountManager(Profile profile, std::shared_ptr<SecretStore> secrets, QObject *parent)
    : QObject(parent), m_profile(std::move(profile)), m_secrets(std::move(secrets))
{
    qRegisterMetaType<heron::net::CertificateInfo>();
    qRegisterMetaType<heron::sync::AccountManager::State>();
}

AccountManager::~AccountManager()
{
    // Quit within 2 s whatever the network does: every worker is cancelled
    // (reads stop within 100 ms, vmime's timeout handlers give up at once),
    // asked to shut down, and its thread to quit; then all are waited for
    // together. A thread still inside a call that cannot be cancelled (a DNS
    // lookup, a TCP connect, a keyring query) is detached: its worker and
    // thread are left to the process's end instead of being freed under it.
    std::vector<Account *> all(m_retired.begin(), m_retired.end());
    for (Account *a : std::as_const(m_accounts)) all.push_back(a);
    for (Account *a : all) {
        a->retired = true;
        for (auto [thread, worker] : a->all()) {
            worker->disconnect(this);
            worker->stop(); // requests queued behind the current one return at once
            QMetaObject::invokeMethod(worker, &AccountWorker::shutdown, Qt::QueuedConnection);
            thread->quit();
        }
    }
    QDeadlineTimer deadline(2000);
    for (Account *a : all) {
        bool allStopped = true;
        for (auto [thread, worker] : a->all()) {
            if (thread->wait(deadline)) {
                delete worker;
            } else {
                allStopped = false;
                qWarning("heron: %s did not stop in time; it is left to finish on its own", qPrintable(thread->objectName()));
                thread->setParent(nullptr); // a QThread destroyed while running aborts the process
            }
        }
        if (allStopped) delete a;
    }
}

AccountManager::Account *AccountManager::find(qint64 id) const { return m_accounts.value(id, nullptr); }

void AccountManager::start(bool startOffline)
{
    m_offline = startOffline;
    store::MailStore store(m_profile.databasePath());
    // A message that was being sent when Heron stopped is never resent by itself.
    compose::Outbox(store).recoverAfterCrash();
    for (const AccountConfig &c : store.accounts()) addAccount(c);
    // What was stored but not indexed yet (a sync interrupted, an older
    // Heron's cache) joins the search index now, online or not. The index is
    // the profile's: one worker does it.
    if (!m_accounts.isEmpty())
        QMetaObject::invokeMethod(m_accounts.begin().value()->syncWorker, &AccountWorker::catchUpIndex, Qt::QueuedConnection);
    if (!m_offline) syncAll();
}

void AccountManager::addAccount(const AccountConfig &c)
{
    if (m_accounts.contains(c.id)) return;
    auto *a = new Account;
    a->config = c;
    a->syncThread = new QThread(this);
    a->interactiveThread = new QThread(this);
    a->syncThread->setObjectName(QStringLiteral("sync-%1").arg(c.name));
    a->interactiveThread->setObjectName(QStringLiteral("interactive-%1").arg(c.name));
    a->syncWorker = new AccountWorker(m_profile, c);
    a->interactive = new AccountWorker(m_profile, c);
    if (!c.isPop3()) {
        a->idleThread = new QThread(this);
        a->idleThread->setObjectName(QStringLiteral("idle-%1").arg(c.name));
        a->idler = new AccountWorker(m_profile, c);
    }
    for (auto [thread, worker] : a->all()) {
        worker->moveToThread(thread);
        thread->start();
    }
    const qint64 id = c.id;
    if (a->idler) {
        // Another device or a new message changed the INBOX: fetch the news now.
        connect(a->idler, &AccountWorker::inboxChanged, this, [this, a] {
            if (!a->retired && !m_offline && a->state == State::Online) syncFolder(a->config.id, QStringLiteral("INBOX"));
        });
        connect(a->idler, &AccountWorker::idling, this, [a](bool on) { a->idling = on; });
        connect(a->idler, &AccountWorker::watchEnded, this, [this, a](bool supported) {
            a->watching = false;
            a->idling = false;
            a->idleUnsupported = !supported;
            if (supported && a->state == State::Online) watchInbox(a);
        });
    }
    for (AccountWorker *w : {a->syncWorker, a->interactive}) {
        connect(w, &AccountWorker::failed, this, [this, a](int kind, const QString &msg, const net::CertificateInfo &info) {
            onFailed(a, kind, msg, info);
        });
        connect(w, &AccountWorker::mailboxChanged, this, &AccountManager::mailboxChanged);
        connect(w, &AccountWorker::foldersChanged, this, &AccountManager::foldersChanged);
    }
    connect(a->syncWorker, &AccountWorker::indexUpdated, this, &AccountManager::indexUpdated);
    connect(a->syncWorker, &AccountWorker::progress, this, [this, id](qint64 mb, int cached, int total) {
        Q_EMIT progress(id, mb, cached, total);
    });
    connect(a->syncWorker, &AccountWorker::statusText, this, [this, a](const QString &t) {
        if (a->state == State::Connecting || a->state == State::Online) setState(a, a->state, t);
    });
    connect(a->syncWorker, &AccountWorker::syncFinished, this, [this, a](bool ok) {
        a->syncing = false;
        if (ok) {
            // Drafts go up through the interactive worker only (one uploader, no duplicates).
            QMetaObject::invokeMethod(a->interactive, "uploadDrafts", Qt::QueuedConnection);
            a->retrySeconds = 0;
            a->lastError.clear();
            setState(a, State::Online, QStringLiteral("%1: up to date").arg(a->config.name));
            if (a->idler) a->idler->wake(); // a watcher waiting after an error: the server is back
            watchInbox(a);
        }
        if (a->syncAgain && ok) {
            a->syncAgain = false;
            syncAccount(a->config.id);
        }
    });
    connect(a->interactive, &AccountWorker::bodyReady, this, &AccountManager::bodyReady);
    connect(a->interactive, &AccountWorker::bodyFailed, this, &AccountManager::bodyFailed);
    connect(a->interactive, &AccountWorker::searchResults, this, &AccountManager::searchResults);
    connect(a->interactive, &AccountWorker::replayed, this, [this, a](int n) {
        Q_EMIT queueChanged(a->config.id); // done, or refused: the window's count of refused changes follows
        if (n > 0) syncAccount(a->config.id);
    });
    a->checkTimer = new QTimer(this);
    a->checkTimer->setInterval(std::max(30, c.checkIntervalSeconds) * 1000);
    connect(a->checkTimer, &QTimer::timeout, this, [this, id] { syncAccount(id); });
    a->retryTimer = new QTimer(this);
    a->retryTimer->setSingleShot(true);
    connect(a->retryTimer, &QTimer::timeout, this, [this, id] { syncAccount(id); });
    m_accounts.insert(id, a);
    // The keyring may take its time (or hang until its timeout): ask it on the
    // account's sync thread, never on the GUI thread.
    a->loadingPassword = true;
    std::shared_ptr<SecretStore> secrets = m_secrets; // alive as long as this query, even past the manager
    const QString name = c.name;
    QPointer<AccountManager> self(this);
    QMetaObject::invokeMethod(a->syncWorker, [self, a, secrets, name] {
        std::optional<QString> pw;
        try {
            pw = secrets->password(name);
        } catch (...) {
            qWarning("heron: the keyring could not be read: %s", qPrintable(util::describeCurrentException().message));
        }
        // Answered on the GUI thread, where the manager is destroyed: it is
        // checked there, not here.
        QCoreApplication *app = QCoreApplication::instance();
        if (!app) return;
        QMetaObject::invokeMethod(app, [self, a, pw] {
            if (!self) return;
            AccountManager *m = self.data();
            a->loadingPassword = false;
            if (a->retired) return;
            if (pw && !a->hasPassword) m->sendPassword(a, *pw);
            if (a->syncWhenLoaded) {
                a->syncWhenLoaded = false;
                m->syncAccount(a->config.id);
            }
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
    setState(a, State::Offline, m_offline ? QStringLiteral("%1: working offline").arg(c.name) : QString());
}

void AccountManager::retire(Account *a)
{
    m_accounts.remove(a->config.id);
    a->retired = true;
    a->checkTimer->stop();
    a->retryTimer->stop();
    a->checkTimer->deleteLater();
    a->retryTimer->deleteLater();
    for (auto [thread, worker] : a->all()) {
        worker->disconnect(this);
        worker->stop();
        QMetaObject::invokeMethod(worker, &AccountWorker::shutdown, Qt::QueuedConnection);
        thread->quit(); // the worker is freed with the manager, once its thread has stopped

    }
    m_retired.push_back(a); // freed with the manager: queued lambdas may still name it
}

void AccountManager::sendPassword(Account *a, const QString &password)
{
    a->hasPassword = true;
    // A running IDLE ends first (its setPassword waits behind it), then restarts after the next sync.
    if (a->idler) a->idler->cancel();
    for (auto [thread, worker] : a->all())
        QMetaObject::invokeMethod(worker, "setPassword", Qt::QueuedConnection, Q_ARG(QString, password));
}

void AccountManager::watchInbox(Account *a)
{
    if (!a->idler || a->watching || a->idleUnsupported || a->retired || m_offline || !a->hasPassword) return;
    a->watching = true;
    a->idler->resume();
    QMetaObject::invokeMethod(a->idler, &AccountWorker::watchInbox, Qt::QueuedConnection);
}

bool AccountManager::isWatching(qint64 accountId) const
{
    Account *a = find(accountId);
    return a && a->watching && a->idling;
}

void AccountManager::updateAccount(const AccountConfig &config)
{
    Account *a = find(config.id);
    if (!a) return;
    const bool wasOnline = !m_offline;
    retire(a);
    addAccount(config);
    if (wasOnline) syncAccount(config.id);
}

void AccountManager::removeAccount(qint64 accountId)
{
    if (Account *a = find(accountId)) retire(a);
}

void AccountManager::setWorkOffline(bool offline)
{
    m_offline = offline;
    for (Account *a : std::as_const(m_accounts)) {
        if (offline) {
            a->checkTimer->stop();
            a->retryTimer->stop();
            for (auto [thread, worker] : a->all()) worker->cancel();
            setState(a, State::Offline, QStringLiteral("%1: working offline").arg(a->config.name));
        }
    }
    if (!offline) syncAll();
}

void AccountManager::syncAll()
{
    for (Account *a : std::as_const(m_accounts)) syncAccount(a->config.id);
}

void AccountManager::syncAccount(qint64 accountId) { syncFolder(accountId, QString()); }

void AccountManager::syncFolder(qint64 accountId, const QString &folderRaw)
{
    Account *a = find(accountId);
    if (!a || m_offline) return;
    if (!a->hasPassword && a->loadingPassword) {
        a->syncWhenLoaded = true;
        return;
    }
    if (!a->hasPassword) {
        setState(a, State::NeedsPassword, QStringLiteral("%1: password needed").arg(a->config.name));
        Q_EMIT passwordNeeded(accountId, QString());
        return;
    }
    if (a->state == State::NeedsPassword || a->state == State::NeedsTrust) return;
    if (a->syncing) { a->syncAgain = true; return; }
    a->syncing = true;
    a->checkTimer->start();
    if (a->state != State::Online)
        setState(a, State::Connecting, QStringLiteral("%1: connecting…").arg(a->config.name));
    // Queued changes go first (interactive worker), then the sync pass.
    if (!a->config.isPop3()) QMetaObject::invokeMethod(a->interactive, "replay", Qt::QueuedConnection);
    QMetaObject::invokeMethod(a->syncWorker, "sync", Qt::QueuedConnection, Q_ARG(QString, folderRaw));
}

void AccountManager::searchText(qint64 accountId, qint64 mailboxId, const QString &text)
{
    Account *a = find(accountId);
    if (!a) return;
    const bool useServer = !m_offline && a->hasPassword && a->state == State::Online && !a->config.isPop3();
    QMetaObject::invokeMethod(a->interactive, "search", Qt::QueuedConnection, Q_ARG(qint64, mailboxId), Q_ARG(QString, text),
                              Q_ARG(bool, useServer));
}

void AccountManager::fetchBody(qint64 accountId, qint64 messageId)
{
    Account *a = find(accountId);
    if (!a) return;
    if (m_offline || !a->hasPassword) {
        Q_EMIT bodyFailed(messageId, QStringLiteral("This message has not been downloaded yet, and Heron is offline."));
        return;
    }
    QMetaObject::invokeMethod(a->interactive, "fetchBody", Qt::QueuedConnection, Q_ARG(qint64, messageId));
}

void AccountManager::replay(qint64 accountId)
{
    Account *a = find(accountId);
    if (!a || m_offline || !a->hasPassword || a->config.isPop3()) return;
    QMetaObject::invokeMethod(a->interactive, "replay", Qt::QueuedConnection);
}

void AccountManager::uploadDrafts(qint64 accountId)
{
    Account *a = find(accountId);
    if (!a || m_offline || !a->hasPassword) return;
    QMetaObject::invokeMethod(a->interactive, "uploadDrafts", Qt::QueuedConnection);
}

void AccountManager::providePassword(qint64 accountId, const QString &password)
{
    Account *a = find(accountId);
    if (!a) return;
    m_secrets->setSessionPassword(a->config.name, password);
    sendPassword(a, password);
    a->state = State::Offline;
    syncAccount(accountId);
}

void AccountManager::trustCertificate(qint64 accountId, const net::CertificateInfo &info)
{
    Account *a = find(accountId);
    if (!a) return;
    store::MailStore store(m_profile.databasePath());
    store.pin(info.host, info.port, info.sha256);
    a->state = State::Offline;
    syncAccount(accountId);
}

AccountManager::State AccountManager::state(qint64 accountId) const
{
    Account *a = find(accountId);
    return a ? a->state : State::Offline;
}

QString AccountManager::lastError(qint64 accountId) const
{
    Account *a = find(accountId);
    return a ? a->lastError : QString();
}

void AccountManager::setState(Account *a, State s, const QString &text)
{
    if (a->retired) return;
    a->state = s;
    Q_EMIT stateChanged(a->config.id, s, text);
}

void AccountManager::scheduleRetry(Account *a)
{
    a->retrySeconds = a->retrySeconds == 0 ? 5 : std::min(a->retrySeconds * 2, 300);
    a->retryTimer->start(a->retrySeconds * 1000);
}

void AccountManager::onFailed(Account *a, int kind, const QString &message, const net::CertificateInfo &info)
{
    if (a->retired) return;
    a->lastError = message;
    a->syncing = false;
    switch (net::NetError::Kind(kind)) {
    case net::NetError::Cancelled:
        return;
    case net::NetError::Auth:
        a->hasPassword = false;
        setState(a, State::NeedsPassword, message);
        Q_EMIT passwordNeeded(a->config.id, message);
        return;
    case net::NetError::Certificate:
        setState(a, State::NeedsTrust, message);
        Q_EMIT certificateNeedsDecision(a->config.id, info);
        return;
    case net::NetError::Network:
    case net::NetError::Timeout:
        setState(a, State::Offline, QStringLiteral("%1: offline (%2); retrying").arg(a->config.name, message));
        if (!m_offline) scheduleRetry(a);
        return;
    case net::NetError::Server:
    case net::NetError::TooLarge:
        // One item failed; the account is still usable.
        setState(a, a->state == State::Connecting ? State::Online : a->state, message);
        return;
    default:
        setState(a, State::Error, message);
        if (!m_offline) scheduleRetry(a);
        return;
    }
}

} // namespace heron::sync
