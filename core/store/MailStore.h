#pragma once
// The profile's cache and queue, on top of one Database connection.
// Thread: a MailStore belongs to the thread that created it; other threads
// open their own (WAL lets readers and the writer run together).
#include "account/AccountConfig.h"
#include "account/Identity.h"
#include "store/Database.h"
#include "store/MessageRecord.h"

#include <QStringList>

#include <optional>
#include <set>
#include <vector>

namespace heron::store {

// What the search index is given for a message body (see search/SearchIndex.h).
struct BodyText {
    QString body;
    QString attachments;
};

struct FolderUpdate {
    QString name;
    QByteArray rawName;
    QString delimiter;
    QString specialUse;
    QString attributes;
    bool selectable = true;
};

struct PendingOp {
    int64_t id = 0;
    int64_t accountId = 0;
    QString mailbox;     // raw server name of the source mailbox
    uint32_t uidvalidity = 0;
    QString kind;        // "flags+", "flags-", "move", "copy", "expunge", "create", "rename", "delete-folder"
    std::vector<uint32_t> uids;
    QString arg;         // flag bits, destination mailbox, new name...
    QString state;       // "queued", "failed"
    QString error;
    // What a copy (or a move without MOVE) has done on the server so far:
    // "" nothing, "copying" the COPY was sent (a crash here leaves it unknown),
    // "copied" it was answered OK. Replay never copies twice what it knows
    // was copied, and checks the destination when it cannot know.
    QString progress;
};

class MailStore {
public:
    explicit MailStore(const QString &dbPath);
    Database &db() { return m_db; }

    // Accounts
    int64_t addAccount(const AccountConfig &a);
    std::vector<AccountConfig> accounts();
    std::optional<AccountConfig> account(int64_t id);
    std::optional<AccountConfig> accountByName(const QString &name);
    void removeAccount(int64_t id);
    // The conversation of a message across all folders of its account (your
    // replies in Sent included): messages linked through Message-ID,
    // In-Reply-To and References, at most 500.
    std::vector<int64_t> conversation(int64_t messageId);
    // Message ids of these UIDs in a mailbox (those that are cached).
    std::vector<int64_t> idsForUids(int64_t mailboxId, const std::vector<uint32_t> &uids);
    // True when a message in a Sent folder went to this address (To or Cc).
    bool hasWrittenTo(const QString &address);
    // Saves edited settings (servers, security, user name, address, check
    // interval, POP3 policy). The name and the protocol stay as they are.
    void updateAccount(const AccountConfig &a);
    // Moves the account one place up (delta -1) or down (+1) in the list;
    // false when it is already first or last.
    bool moveAccount(int64_t id, int delta);

    // Identities beyond the account's own (see account/Identity.h), in their
    // order. addIdentity returns the new id and puts it last; updateIdentity
    // saves name, address, Reply-To and signature of the row identity.id.
    // Callers validate the addresses (compose::checkAddress).
    std::vector<Identity> identities(int64_t accountId);
    int64_t addIdentity(const Identity &identity);
    void updateIdentity(const Identity &identity);
    void removeIdentity(int64_t identityId);

    // Mailboxes
    // Replaces the folder list of an account: new ones are added, vanished ones removed.
    void updateFolders(int64_t accountId, const std::vector<FolderUpdate> &folders);
    std::vector<MailboxRecord> mailboxes(int64_t accountId);
    std::optional<MailboxRecord> mailbox(int64_t id);
    std::optional<MailboxRecord> mailboxByName(int64_t accountId, const QString &name);
    // The folder for a role ("\\Sent", "\\Drafts", "\\Trash", ...): the one the
    // user chose for the account if it still exists, else the server's SPECIAL-USE.
    std::optional<MailboxRecord> mailboxByRole(int64_t accountId, const QString &specialUse);
    // The user's choice for a role (raw mailbox name), empty for automatic.
    QString folderRoleChoice(int64_t accountId, const QString &role);
    void setFolderRoleChoice(int64_t accountId, const QString &role, const QString &rawName);
    void setMailboxSyncState(int64_t mailboxId, uint32_t uidvalidity, uint32_t uidnext, uint64_t highestModSeq);
    // The server's EXISTS when the folder was last brought fully up to date
    // (it counts messages flagged \\Deleted, which the cache leaves out).
    void setServerExists(int64_t mailboxId, uint32_t exists);
    // Why the folder's last sync failed ("" once it succeeds again).
    void setMailboxError(int64_t mailboxId, const QString &error);
    // Drops every cached message of the mailbox (UIDVALIDITY changed) and
    // fails its queued operations on the old UIDs; sets the new UIDVALIDITY.
    void resetMailbox(int64_t mailboxId, uint32_t newUidvalidity);
    void recount(int64_t mailboxId);
    void addToCounts(int64_t mailboxId, int total, int unread);

    // Messages
    std::vector<uint32_t> cachedUids(int64_t mailboxId);
    void insertMessages(int64_t mailboxId, uint32_t uidvalidity, const std::vector<MessageRecord> &msgs);
    // Returns how many rows changed.
    int updateFlags(int64_t mailboxId, const std::vector<std::pair<uint32_t, int>> &uidFlags);
    void deleteUids(int64_t mailboxId, const std::vector<uint32_t> &uids);
    std::optional<MessageRecord> message(int64_t id);
    std::vector<MessageRecord> messages(int64_t mailboxId, int limit, int offset = 0);
    // Ids of a mailbox's messages; unreadOnly: those without \\Seen.
    std::vector<int64_t> messageIds(int64_t mailboxId, bool unreadOnly = false);
    // The given messages (any order; missing ids are left out).
    std::vector<MessageRecord> messagesByIds(const std::vector<int64_t> &ids);
    void setLocalFlags(const std::vector<int64_t> &ids, int flags, bool add);

    // Bodies
    // Where a body lives: up to kInlineBodyBytes in the database (SQLite reads
    // BLOBs of that size faster than separate files, see "Internal Versus
    // External BLOBs" on sqlite.org), larger ones (attachments) in a file of
    // their own under bodiesDir(), so the database stays small to copy,
    // checkpoint and vacuum. The file is written and synced before the row
    // that names it is committed; a file whose row is gone (deleted message,
    // evicted body, rolled-back transaction) is removed by purgeBodyFiles().
    static constexpr int64_t kInlineBodyBytes = 100 * 1024;
    // Stores the raw message and what the search index learns from it, in
    // the caller's transaction (or its own). text: the words to index, made
    // off the transaction by search::textForIndex; computed here if absent.
    // Returns false (and stores nothing) when the message is no longer cached.
    bool storeBody(int64_t messageId, const QByteArray &raw, const BodyText *text = nullptr);
    // The raw message; nullopt when it is not cached (or its file was lost,
    // which forgets the body so that it is downloaded again).
    std::optional<QByteArray> body(int64_t messageId);
    bool hasBody(int64_t messageId);
    bool hasMessage(int64_t messageId);
    // Still the message a download was for (ids are reused after a delete).
    bool isSameMessage(int64_t messageId, int64_t mailboxId, uint32_t uid, uint32_t uidvalidity);
    QString bodiesDir() const;
    // Removes the files of bodies that are gone; orphans older than a minute
    // (a crash between writing a file and committing its row) too when sweep.
    int purgeBodyFiles(bool sweep = false);
    // Messages kept for offline use in an account: how many, and the bytes.
    std::pair<int64_t, int64_t> offlineUsage(int64_t accountId);

    // Offline policy: -1 every message, 0 headers only, N the last N days.
    // A folder's kInheritOffline follows its account.
    static constexpr int kInheritOffline = -2;
    void setAccountOfflineDays(int64_t accountId, int days);
    void setMailboxOfflineDays(int64_t mailboxId, int days);
    int mailboxOfflineDays(int64_t mailboxId);          // as set on the folder (maybe kInheritOffline)
    int effectiveOfflineDays(int64_t mailboxId);        // what applies
    // Messages of the account's folders whose body the policy keeps and that
    // are not cached yet: newest first, at most limit; not over maxBytes.
    struct BodyWanted { int64_t id; int64_t mailboxId; uint32_t uid; int64_t size; int64_t date; uint32_t uidvalidity; };
    // Folders in skipMailboxes are left out.
    std::vector<BodyWanted> bodiesWanted(int64_t accountId, int64_t maxBytes, int limit, int64_t now,
                                         const std::set<int64_t> &skipMailboxes = {});
    int64_t bodiesWantedCount(int64_t accountId, int64_t maxBytes, int64_t now);
    // Forgets the bodies the policy no longer keeps (stored more than a day
    // ago: what the user opened today stays until tomorrow). IMAP only: a
    // POP3 account's mail exists nowhere else. Returns how many.
    int evictBodies(int64_t accountId, int64_t now);

    // Saved searches (virtual folders over every account), in their order.
    struct SavedSearch { int64_t id = 0; QString name; QString query; };
    std::vector<SavedSearch> savedSearches();
    int64_t addSavedSearch(const QString &name, const QString &query);
    void removeSavedSearch(int64_t id);

    // Pending operations (the durable queue of the user's intentions)
    int64_t enqueue(const PendingOp &op);
    std::vector<PendingOp> pendingOps(int64_t accountId, bool includeFailed = false);
    void completeOp(int64_t id);
    void failOp(int64_t id, const QString &error);
    void setOpProgress(int64_t id, const QString &progress);
    // A failed operation: queued again (the next replay tries it), or given up
    // (the next sync shows the server's state: a message that was to move or
    // go comes back where the server still has it).
    bool retryOp(int64_t id);
    bool discardOp(int64_t id);
    int failedOpCount();
    // UIDs of a mailbox that a queued operation still has to change on the
    // server. Read inside the transaction that stores server data, so a local
    // change committed a moment ago is not overwritten by older server state.
    std::set<uint32_t> uidsWithQueuedOps(int64_t accountId, const QString &mailbox);

    // Local folders (POP3 accounts)
    void ensureLocalFolders(int64_t accountId);
    uint32_t nextLocalUid(int64_t mailboxId);
    // Stores a message and its body in a local folder; returns the message id.
    int64_t insertLocalMessage(int64_t mailboxId, MessageRecord m, const QByteArray &raw);
    // Copies a message (row and body) into another local folder; returns the new id.
    int64_t copyLocal(int64_t messageId, int64_t destMailboxId);
    void deleteMessage(int64_t messageId);
    // Downloaded (or deleted locally) UIDLs; not those found too large.
    std::set<QString> knownUidls(int64_t accountId);
    // UIDLs found over the limit when it was limitMB or more (still too large).
    std::set<QString> tooLargeUidls(int64_t accountId, int limitMB);
    // Never deleted from the server by any policy: it was never downloaded.
    void recordTooLarge(int64_t accountId, const QString &uidl, int limitMB, int64_t at);
    void recordUidl(int64_t accountId, const QString &uidl, int64_t messageId, int64_t fetchedAt);
    // Downloaded messages still on the server, fetched before the given time.
    std::vector<QString> uidlsOnServerFetchedBefore(int64_t accountId, int64_t before);
    void markUidlsGone(int64_t accountId, const std::vector<QString> &uidls);
    // Keeps the link from a downloaded message to its UIDL when it moves locally.
    void repointUidl(int64_t oldMessageId, int64_t newMessageId);
    // The user deleted this downloaded message for good: with the "mirror"
    // policy it is deleted on the server at the next check.
    void requestServerDelete(int64_t messageId);
    std::vector<QString> uidlsToDeleteOnServer(int64_t accountId);

    // Trust
    bool isPinned(const QString &host, int port, const QString &sha256);
    QString pinnedFingerprint(const QString &host, int port);
    void pin(const QString &host, int port, const QString &sha256);

    static QString encodeUids(const std::vector<uint32_t> &uids);
    static std::vector<uint32_t> decodeUids(const QString &text);

private:
    MessageRecord readMessage(Statement &q);
    Database m_db;
};

} // namespace heron::store
