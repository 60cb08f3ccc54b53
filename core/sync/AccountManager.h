#pragma once
// Keeps every account of a profile connected as well as the network allows:
// owns two AccountWorkers per IMAP account (sync and interactive) on their own
// threads, checks for new mail periodically, reconnects with backoff after a
// network error, and tells the UI what it needs (password, certificate decision).
//
// Thread: lives on the GUI thread; never blocks it (workers are driven by
// queued calls and answer with queued signals).
#include "account/AccountConfig.h"
#include "account/Profile.h"
#include "account/SecretStore.h"
#include "net/NetError.h"

#include <QObject>
#include <QHash>

#include <memory>

class QThread;
class QTimer;

namespace heron::sync {

class AccountWorker;

class AccountManager : public QObject {
    Q_OBJECT
public:
    enum class State { Offline, Connecting, Online, NeedsPassword, NeedsTrust, Error };
    Q_ENUM(State)

    AccountManager(Profile profile, std::shared_ptr<SecretStore> secrets, QObject *parent = nullptr);
    ~AccountManager() override;

    // Starts workers for the profile's IMAP accounts; startOffline keeps them idle.
    void start(bool startOffline);
    void setWorkOffline(bool offline);
    // Starts the workers of an account added while running.
    void addAccount(const AccountConfig &config);
    // Restarts the account's workers with edited settings (a sync in progress
    // is cancelled; queued changes stay queued in the store).
    void updateAccount(const AccountConfig &config);
    // Stops the account's workers; the caller removes it from the store.
    void removeAccount(qint64 accountId);
    bool workOffline() const { return m_offline; }

    void syncAll();
    void syncAccount(qint64 accountId);
    void syncFolder(qint64 accountId, const QString &folderRaw);
    void fetchBody(qint64 accountId, qint64 messageId);
    // Searches the text of the messages of a mailbox (cached bodies; the
    // server too when online); answers with searchResults.
    void searchText(qint64 accountId, qint64 mailboxId, const QString &text);
    // After a local change was queued: push it to the server now if online.
    void replay(qint64 accountId);
    // A draft was saved locally: store it on the server now if online.
    void uploadDrafts(qint64 accountId);

    void providePassword(qint64 accountId, const QString &password);
    // The user trusted the certificate for this host and port.
    void trustCertificate(qint64 accountId, const heron::net::CertificateInfo &info);

    State state(qint64 accountId) const;
    // An IDLE connection waits for news on the account's INBOX (the server
    // accepted the IDLE).
    bool isWatching(qint64 accountId) const;
    QString lastError(qint64 accountId) const;

Q_SIGNALS:
    void stateChanged(qint64 accountId, heron::sync::AccountManager::State state, const QString &text);
    void progress(qint64 accountId, qint64 mailboxId, int cached, int total);
    void mailboxChanged(qint64 mailboxId);
    void foldersChanged(qint64 accountId);
    void bodyReady(qint64 messageId);
    void bodyFailed(qint64 messageId, const QString &message);
    void searchResults(qint64 mailboxId, const QString &text, const QList<qint64> &ids, bool serverAsked);
    void passwordNeeded(qint64 accountId, const QString &reason);
    void certificateNeedsDecision(qint64 accountId, const heron::net::CertificateInfo &info);
    // Queued changes of the account were replayed (applied, or refused by the server).
    void queueChanged(qint64 accountId);
    // The search index learnt new messages or texts, or new messages joined
    // their conversations.
    void indexUpdated();

private:
    struct Account;
    void onFailed(Account *a, int kind, const QString &message, const heron::net::CertificateInfo &info);
    void setState(Account *a, State s, const QString &text);
    void scheduleRetry(Account *a);
    Account *find(qint64 id) const;
    // Stops an account's workers without waiting; the threads end by themselves.
    void retire(Account *a);
    void sendPassword(Account *a, const QString &password);
    void watchInbox(Account *a);

    Profile m_profile;
    std::shared_ptr<SecretStore> m_secrets; // the keyring is read on worker threads
    QHash<qint64, Account *> m_accounts;
    QList<Account *> m_retired; // their workers may still be finishing
    bool m_offline = false;
};

} // namespace heron::sync
