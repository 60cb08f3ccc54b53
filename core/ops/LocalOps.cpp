#include "ops/LocalOps.h"

#include <map>

namespace heron::ops {

using store::MailStore;
using store::PendingOp;
using store::Transaction;

namespace {
struct Group {
    int64_t accountId = 0;
    QString mailbox;
    uint32_t uidvalidity = 0;
    std::vector<uint32_t> uids;
    std::vector<int64_t> ids;
};

// Groups messages by (mailbox, uidvalidity): one queued operation per group.
std::map<std::pair<int64_t, uint32_t>, Group> group(MailStore &store, const std::vector<int64_t> &ids)
{
    std::map<std::pair<int64_t, uint32_t>, Group> out;
    std::map<int64_t, MailboxRecord> boxes;
    for (int64_t id : ids) {
        auto m = store.message(id);
        if (!m) continue;
        auto it = boxes.find(m->mailboxId);
        if (it == boxes.end()) {
            auto mb = store.mailbox(m->mailboxId);
            if (!mb) continue;
            it = boxes.emplace(m->mailboxId, *mb).first;
        }
        Group &g = out[{m->mailboxId, m->uidvalidity}];
        g.accountId = it->second.accountId;
        g.mailbox = it->second.name;
        g.uidvalidity = m->uidvalidity;
        g.uids.push_back(m->uid);
        g.ids.push_back(id);
    }
    return out;
}

// Folders of POP3 accounts exist only in the profile: changes apply there and
// nothing is queued for a server.
bool isLocalAccount(MailStore &store, int64_t accountId)
{
    auto a = store.account(accountId);
    return a && a->isPop3();
}

void removeLocally(MailStore &store, int64_t mailboxId, const std::vector<uint32_t> &uids)
{
    store.deleteUids(mailboxId, uids);
    store.recount(mailboxId);
}
} // namespace

void setFlags(MailStore &store, const std::vector<int64_t> &messageIds, int flags, bool add)
{
    Transaction tx(store.db());
    for (auto &[key, g] : group(store, messageIds)) {
        store.setLocalFlags(g.ids, flags, add);
        store.recount(key.first);
        if (isLocalAccount(store, g.accountId)) continue;
        PendingOp op;
        op.accountId = g.accountId;
        op.mailbox = g.mailbox;
        op.uidvalidity = g.uidvalidity;
        op.kind = add ? QStringLiteral("flags+") : QStringLiteral("flags-");
        op.uids = g.uids;
        op.arg = QString::number(flags);
        store.enqueue(op);
    }
    tx.commit();
}

static void transfer(MailStore &store, const std::vector<int64_t> &ids, int64_t destMailboxId, bool move)
{
    auto dest = store.mailbox(destMailboxId);
    if (!dest) return;
    Transaction tx(store.db());
    for (auto &[key, g] : group(store, ids)) {
        if (key.first == destMailboxId || g.accountId != dest->accountId) continue;
        if (isLocalAccount(store, g.accountId)) {
            for (int64_t id : g.ids) {
                const int64_t copy = store.copyLocal(id, destMailboxId);
                if (move) {
                    store.repointUidl(id, copy);
                    store.deleteMessage(id);
                }
            }
            store.recount(key.first);
            store.recount(destMailboxId);
            continue;
        }
        PendingOp op;
        op.accountId = g.accountId;
        op.mailbox = g.mailbox;
        op.uidvalidity = g.uidvalidity;
        op.kind = move ? QStringLiteral("move") : QStringLiteral("copy");
        op.uids = g.uids;
        op.arg = dest->name;
        store.enqueue(op);
        if (move) removeLocally(store, key.first, g.uids);
    }
    tx.commit();
}

void moveMessages(MailStore &store, const std::vector<int64_t> &ids, int64_t destMailboxId) { transfer(store, ids, destMailboxId, true); }
void copyMessages(MailStore &store, const std::vector<int64_t> &ids, int64_t destMailboxId) { transfer(store, ids, destMailboxId, false); }

bool deleteIsPermanent(MailStore &store, const std::vector<int64_t> &ids)
{
    for (auto &[key, g] : group(store, ids)) {
        auto trash = store.mailboxByRole(g.accountId, QStringLiteral("\\Trash"));
        if (!trash || trash->id == key.first) return true;
    }
    return false;
}

DeleteResult deleteMessages(MailStore &store, const std::vector<int64_t> &ids)
{
    DeleteResult result = DeleteResult::MovedToTrash;
    Transaction tx(store.db());
    for (auto &[key, g] : group(store, ids)) {
        auto trash = store.mailboxByRole(g.accountId, QStringLiteral("\\Trash"));
        if (isLocalAccount(store, g.accountId)) {
            for (int64_t id : g.ids) {
                if (trash && trash->id != key.first) {
                    store.repointUidl(id, store.copyLocal(id, trash->id));
                } else {
                    result = DeleteResult::Expunged;
                    store.requestServerDelete(id);
                }
                store.deleteMessage(id);
            }
            store.recount(key.first);
            if (trash) store.recount(trash->id);
            continue;
        }
        PendingOp op;
        op.accountId = g.accountId;
        op.mailbox = g.mailbox;
        op.uidvalidity = g.uidvalidity;
        op.uids = g.uids;
        if (trash && trash->id != key.first) {
            op.kind = QStringLiteral("move");
            op.arg = trash->name;
        } else {
            op.kind = QStringLiteral("expunge");
            result = DeleteResult::Expunged;
        }
        store.enqueue(op);
        removeLocally(store, key.first, g.uids);
    }
    tx.commit();
    return result;
}

int moveToRole(MailStore &store, const std::vector<int64_t> &messageIds, const QString &role, const QString &defaultName)
{
    std::map<int64_t, std::vector<int64_t>> byAccount;
    for (auto &[key, g] : group(store, messageIds)) byAccount[g.accountId].insert(byAccount[g.accountId].end(), g.ids.begin(), g.ids.end());
    int moved = 0;
    for (auto &[accountId, ids] : byAccount) {
        auto dest = store.mailboxByRole(accountId, role);
        if (!dest) {
            // A name taken by a folder without the role is used as it is.
            dest = store.mailboxByName(accountId, defaultName);
            if (!dest) {
                createFolder(store, accountId, defaultName);
                dest = store.mailboxByName(accountId, defaultName);
            }
            if (!dest) continue;
            store.setFolderRoleChoice(accountId, role, dest->name);
        }
        std::vector<int64_t> toMove;
        for (int64_t id : ids)
            if (auto m = store.message(id); m && m->mailboxId != dest->id) toMove.push_back(id);
        moveMessages(store, toMove, dest->id);
        moved += int(toMove.size());
    }
    return moved;
}

void createFolder(MailStore &store, int64_t accountId, const QString &rawName)
{
    Transaction tx(store.db());
    if (!isLocalAccount(store, accountId)) {
        PendingOp op;
        op.accountId = accountId;
        op.mailbox = rawName;
        op.kind = QStringLiteral("create");
        store.enqueue(op);
    }
    // Shown at once; the next folder-list sync confirms it.
    auto ins = store.db().prepare(
        "INSERT OR IGNORE INTO mailboxes(account_id, name, delimiter) VALUES(?1, ?2, "
        "COALESCE((SELECT delimiter FROM mailboxes WHERE account_id=?1 AND delimiter<>'' LIMIT 1), '/'))");
    ins.bind(1, accountId).bind(2, rawName).exec();
    tx.commit();
}

void renameFolder(MailStore &store, int64_t mailboxId, const QString &newRawName)
{
    auto mb = store.mailbox(mailboxId);
    if (!mb) return;
    Transaction tx(store.db());
    if (!isLocalAccount(store, mb->accountId)) {
        PendingOp op;
        op.accountId = mb->accountId;
        op.mailbox = mb->name;
        op.kind = QStringLiteral("rename");
        op.arg = newRawName;
        store.enqueue(op);
    }
    auto q = store.db().prepare("UPDATE mailboxes SET name=? WHERE id=?");
    q.bind(1, newRawName).bind(2, mailboxId).exec();
    tx.commit();
}

void deleteFolder(MailStore &store, int64_t mailboxId)
{
    auto mb = store.mailbox(mailboxId);
    if (!mb) return;
    Transaction tx(store.db());
    if (!isLocalAccount(store, mb->accountId)) {
        PendingOp op;
        op.accountId = mb->accountId;
        op.mailbox = mb->name;
        op.kind = QStringLiteral("delete-folder");
        store.enqueue(op);
    }
    auto q = store.db().prepare("DELETE FROM mailboxes WHERE id=?");
    q.bind(1, mailboxId).exec();
    tx.commit();
}

} // namespace heron::ops
