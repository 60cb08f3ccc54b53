#include "store/MailStore.h"

#include <algorithm>
#include <set>

#include <QSet>

namespace heron::store {

namespace {
const char *kMessageColumns =
    "id, mailbox_id, uidvalidity, uid, date, from_name, from_addr, to_list, cc_list, subject, message_id, "
    "in_reply_to, refs, size, flags, has_attachment";

MailboxRecord readMailbox(Statement &q)
{
    MailboxRecord m;
    m.id = q.int64(0);
    m.accountId = q.int64(1);
    m.name = q.text(2);
    m.delimiter = q.text(3);
    m.specialUse = q.text(4);
    m.selectable = q.integer(5) != 0;
    m.uidvalidity = uint32_t(q.int64(6));
    m.uidnext = uint32_t(q.int64(7));
    m.highestModSeq = uint64_t(q.int64(8));
    m.totalCount = q.integer(9);
    m.unreadCount = q.integer(10);
    m.syncError = q.text(11);
    m.serverExists = uint32_t(q.int64(12));
    return m;
}
const char *kMailboxColumns =
    "id, account_id, name, delimiter, special_use, selectable, uidvalidity, uidnext, highestmodseq, total_count, "
    "unread_count, sync_error, server_exists";
} // namespace

MailStore::MailStore(const QString &dbPath) : m_db(dbPath) {}

std::vector<int64_t> MailStore::messageIds(int64_t mailboxId, bool unreadOnly)
{
    Statement q = m_db.prepare(unreadOnly ? "SELECT id FROM messages WHERE mailbox_id=? AND (flags & 1)=0"
                                          : "SELECT id FROM messages WHERE mailbox_id=?");
    q.bind(1, mailboxId);
    std::vector<int64_t> out;
    while (q.step()) out.push_back(q.int64(0));
    return out;
}

std::vector<int64_t> MailStore::conversation(int64_t messageId)
{
    auto start = message(messageId);
    if (!start) return {};
    auto box = mailbox(start->mailboxId);
    if (!box) return {messageId};
    auto ids = [](const QString &text) {
        QStringList out;
        for (const QString &part : text.split(QLatin1Char('>'), Qt::SkipEmptyParts)) {
            const qsizetype lt = part.indexOf(QLatin1Char('<'));
            if (lt >= 0 && part.size() - lt > 2) out << part.mid(lt) + QLatin1Char('>');
        }
        return out;
    };
    QSet<QString> known; // Message-IDs of the conversation
    QStringList pending = ids(start->messageId) + ids(start->inReplyTo) + ids(start->references);
    std::set<int64_t> found{messageId};
    Statement byId = m_db.prepare(
        "SELECT m.id, m.message_id, m.in_reply_to, m.refs FROM messages m JOIN mailboxes b ON b.id=m.mailbox_id "
        "WHERE b.account_id=? AND (m.message_id=?2 OR m.in_reply_to=?2 OR m.refs LIKE ?3 ESCAPE '\\')");
    while (!pending.isEmpty() && found.size() < 500) {
        const QString mid = pending.takeFirst();
        if (known.contains(mid)) continue;
        known.insert(mid);
        byId.bind(1, box->accountId).bind(2, mid).bind(3, likeContaining(mid));
        while (byId.step()) {
            found.insert(byId.int64(0));
            pending << ids(byId.text(1)) << ids(byId.text(2)) << ids(byId.text(3));
        }
        byId.reset();
    }
    return std::vector<int64_t>(found.begin(), found.end());
}

std::vector<int64_t> MailStore::idsForUids(int64_t mailboxId, const std::vector<uint32_t> &uids)
{
    std::vector<int64_t> out;
    Statement q = m_db.prepare("SELECT id FROM messages WHERE mailbox_id=? AND uid=?");
    for (uint32_t uid : uids) {
        q.bind(1, mailboxId).bind(2, int64_t(uid));
        if (q.step()) out.push_back(q.int64(0));
        q.reset();
    }
    return out;
}

bool MailStore::hasWrittenTo(const QString &address)
{
    const QString wanted = address.trimmed();
    if (wanted.isEmpty() || !wanted.contains(QLatin1Char('@'))) return false;
    const QString pattern = likeContaining(wanted);
    // The LIKE narrows it down; the exact address is then compared, so that
    // bob@example.org is not "known" because of jacob@example.org.
    Statement q = m_db.prepare(
        "SELECT m.to_list || ',' || m.cc_list FROM messages m JOIN mailboxes b ON b.id=m.mailbox_id "
        "WHERE b.special_use='\\Sent' AND (m.to_list LIKE ?1 ESCAPE '\\' OR m.cc_list LIKE ?1 ESCAPE '\\') LIMIT 200");
    q.bind(1, pattern);
    while (q.step()) {
        for (const QString &part : q.text(0).split(QLatin1Char(','))) {
            QString addr = part.trimmed();
            const qsizetype lt = addr.lastIndexOf(QLatin1Char('<'));
            if (lt >= 0) addr = addr.mid(lt + 1).section(QLatin1Char('>'), 0, 0).trimmed();
            if (addr.compare(wanted, Qt::CaseInsensitive) == 0) return true;
        }
    }
    return false;
}

void MailStore::updateFolders(int64_t accountId, const std::vector<FolderUpdate> &folders)
{
    Transaction tx(m_db);
    Statement mark = m_db.prepare("UPDATE mailboxes SET present=0 WHERE account_id=?");
    mark.bind(1, accountId).exec();
    Statement up = m_db.prepare(
        "INSERT INTO mailboxes(account_id, name, delimiter, special_use, attributes, selectable, present) "
        "VALUES(?,?,?,?,?,?,1) ON CONFLICT(account_id, name) DO UPDATE SET delimiter=excluded.delimiter, "
        "special_use=excluded.special_use, attributes=excluded.attributes, selectable=excluded.selectable, present=1");
    for (const FolderUpdate &f : folders) {
        // The raw (modified UTF-7) name is what the server knows; we keep it as the key.
        up.bind(1, accountId).bind(2, QString::fromLatin1(f.rawName)).bind(3, f.delimiter).bind(4, f.specialUse)
            .bind(5, f.attributes).bind(6, f.selectable ? 1 : 0);
        up.exec();
    }
    // The server's list is the truth, except where the user's queued changes
    // are not on the server yet (a sync of another process or thread may list
    // before they are replayed): a folder queued for creation, or the new name
    // of a queued rename, stays; a folder queued for deletion, or the old name
    // of a queued rename, does not come back.
    // The latest queued operation on a name decides (create, delete, create
    // again: it stays).
    Statement queued = m_db.prepare(
        "WITH touches(name, id, keep) AS ("
        "  SELECT mailbox, id, kind='create' FROM pending_ops"
        "   WHERE account_id=?1 AND state='queued' AND kind IN ('create','delete-folder','rename')"
        "  UNION ALL SELECT arg, id, 1 FROM pending_ops WHERE account_id=?1 AND state='queued' AND kind='rename'),"
        " latest(name, keep) AS ("
        "  SELECT name, keep FROM touches t WHERE id=(SELECT MAX(id) FROM touches u WHERE u.name=t.name)) "
        "UPDATE mailboxes SET present=(SELECT keep FROM latest WHERE latest.name=mailboxes.name) "
        "WHERE account_id=?1 AND name IN (SELECT name FROM latest)");
    queued.bind(1, accountId).exec();
    Statement del = m_db.prepare("DELETE FROM mailboxes WHERE account_id=? AND present=0");
    del.bind(1, accountId).exec();
    tx.commit();
}

void MailStore::setServerExists(int64_t mailboxId, uint32_t exists)
{
    Statement q = m_db.prepare("UPDATE mailboxes SET server_exists=? WHERE id=? AND server_exists<>?");
    q.bind(1, int64_t(exists)).bind(2, mailboxId).bind(3, int64_t(exists)).exec();
}

void MailStore::setMailboxError(int64_t mailboxId, const QString &error)
{
    Statement q = m_db.prepare("UPDATE mailboxes SET sync_error=? WHERE id=? AND sync_error<>?");
    q.bind(1, error).bind(2, mailboxId).bind(3, error).exec();
}

std::set<uint32_t> MailStore::uidsWithQueuedOps(int64_t accountId, const QString &mailbox)
{
    std::set<uint32_t> out;
    Statement q = m_db.prepare("SELECT uids FROM pending_ops WHERE account_id=? AND mailbox=? AND state='queued'");
    q.bind(1, accountId).bind(2, mailbox);
    while (q.step())
        for (uint32_t u : decodeUids(q.text(0))) out.insert(u);
    return out;
}

std::vector<MailboxRecord> MailStore::mailboxes(int64_t accountId)
{
    std::vector<MailboxRecord> out;
    Statement q = m_db.prepare((std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE account_id=? ORDER BY name").c_str());
    q.bind(1, accountId);
    while (q.step()) out.push_back(readMailbox(q));
    return out;
}

std::optional<MailboxRecord> MailStore::mailbox(int64_t id)
{
    Statement q = m_db.prepare((std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE id=?").c_str());
    q.bind(1, id);
    if (q.step()) return readMailbox(q);
    return std::nullopt;
}

std::optional<MailboxRecord> MailStore::mailboxByName(int64_t accountId, const QString &name)
{
    Statement q = m_db.prepare((std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE account_id=? AND name=?").c_str());
    q.bind(1, accountId).bind(2, name);
    if (q.step()) return readMailbox(q);
    return std::nullopt;
}

QString MailStore::folderRoleChoice(int64_t accountId, const QString &role)
{
    Statement q = m_db.prepare("SELECT mailbox_name FROM folder_roles WHERE account_id=? AND role=?");
    q.bind(1, accountId).bind(2, role);
    return q.step() ? q.text(0) : QString();
}

void MailStore::setFolderRoleChoice(int64_t accountId, const QString &role, const QString &rawName)
{
    if (rawName.isEmpty()) {
        Statement q = m_db.prepare("DELETE FROM folder_roles WHERE account_id=? AND role=?");
        q.bind(1, accountId).bind(2, role).exec();
        return;
    }
    Statement q = m_db.prepare("INSERT OR REPLACE INTO folder_roles(account_id, role, mailbox_name) VALUES(?,?,?)");
    q.bind(1, accountId).bind(2, role).bind(3, rawName).exec();
}

std::optional<MailboxRecord> MailStore::mailboxByRole(int64_t accountId, const QString &specialUse)
{
    const QString chosen = folderRoleChoice(accountId, specialUse);
    if (!chosen.isEmpty())
        if (auto mb = mailboxByName(accountId, chosen)) return mb;
    Statement q = m_db.prepare((std::string("SELECT ") + kMailboxColumns + " FROM mailboxes WHERE account_id=? AND special_use=? ORDER BY id LIMIT 1").c_str());
    q.bind(1, accountId).bind(2, specialUse);
    if (q.step()) return readMailbox(q);
    return std::nullopt;
}

void MailStore::setMailboxSyncState(int64_t mailboxId, uint32_t uidvalidity, uint32_t uidnext, uint64_t highestModSeq)
{
    Statement q = m_db.prepare("UPDATE mailboxes SET uidvalidity=?, uidnext=?, highestmodseq=? WHERE id=?");
    q.bind(1, int64_t(uidvalidity)).bind(2, int64_t(uidnext)).bind(3, int64_t(highestModSeq)).bind(4, mailboxId).exec();
}

void MailStore::resetMailbox(int64_t mailboxId, uint32_t newUidvalidity)
{
    auto mb = mailbox(mailboxId);
    if (!mb) return;
    Statement del = m_db.prepare("DELETE FROM messages WHERE mailbox_id=?");
    del.bind(1, mailboxId).exec();
    Statement fail = m_db.prepare(
        "UPDATE pending_ops SET state='failed', error='the folder was reset on the server (UIDVALIDITY changed)' "
        "WHERE account_id=? AND mailbox=? AND uidvalidity<>? AND state='queued'");
    fail.bind(1, mb->accountId).bind(2, mb->name).bind(3, int64_t(newUidvalidity)).exec();
    Statement up = m_db.prepare("UPDATE mailboxes SET uidvalidity=?, uidnext=0, highestmodseq=0, total_count=0, unread_count=0 WHERE id=?");
    up.bind(1, int64_t(newUidvalidity)).bind(2, mailboxId).exec();
}

void MailStore::recount(int64_t mailboxId)
{
    Statement q = m_db.prepare(
        "UPDATE mailboxes SET total_count=(SELECT COUNT(*) FROM messages WHERE mailbox_id=?1), "
        "unread_count=(SELECT COUNT(*) FROM messages WHERE mailbox_id=?1 AND (flags & 1)=0 AND (flags & 8)=0) WHERE id=?1");
    q.bind(1, mailboxId).exec();
}

void MailStore::addToCounts(int64_t mailboxId, int total, int unread)
{
    Statement q = m_db.prepare("UPDATE mailboxes SET total_count=total_count+?, unread_count=unread_count+? WHERE id=?");
    q.bind(1, total).bind(2, unread).bind(3, mailboxId).exec();
}

std::vector<uint32_t> MailStore::cachedUids(int64_t mailboxId)
{
    std::vector<uint32_t> out;
    Statement q = m_db.prepare("SELECT uid FROM messages WHERE mailbox_id=? ORDER BY uid");
    q.bind(1, mailboxId);
    while (q.step()) out.push_back(uint32_t(q.int64(0)));
    return out;
}

void MailStore::insertMessages(int64_t mailboxId, uint32_t uidvalidity, const std::vector<MessageRecord> &msgs)
{
    Statement q = m_db.prepare(
        "INSERT INTO messages(mailbox_id, uidvalidity, uid, date, from_name, from_addr, to_list, cc_list, subject, "
        "message_id, in_reply_to, refs, size, flags, has_attachment) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(mailbox_id, uid) DO UPDATE SET flags=excluded.flags");
    for (const MessageRecord &m : msgs) {
        q.bind(1, mailboxId).bind(2, int64_t(uidvalidity)).bind(3, int64_t(m.uid)).bind(4, m.date)
            .bind(5, m.fromName).bind(6, m.fromAddr).bind(7, m.to).bind(8, m.cc).bind(9, m.subject)
            .bind(10, m.messageId).bind(11, m.inReplyTo).bind(12, m.references).bind(13, m.size)
            .bind(14, m.flags).bind(15, m.hasAttachment ? 1 : 0);
        q.exec();
    }
}

int MailStore::updateFlags(int64_t mailboxId, const std::vector<std::pair<uint32_t, int>> &uidFlags)
{
    int changed = 0;
    Statement q = m_db.prepare("UPDATE messages SET flags=? WHERE mailbox_id=? AND uid=? AND flags<>?");
    for (const auto &[uid, flags] : uidFlags) {
        q.bind(1, flags).bind(2, mailboxId).bind(3, int64_t(uid)).bind(4, flags);
        q.exec();
        changed += m_db.changes();
    }
    return changed;
}

void MailStore::deleteUids(int64_t mailboxId, const std::vector<uint32_t> &uids)
{
    Statement q = m_db.prepare("DELETE FROM messages WHERE mailbox_id=? AND uid=?");
    for (uint32_t uid : uids) {
        q.bind(1, mailboxId).bind(2, int64_t(uid));
        q.exec();
    }
}

MessageRecord MailStore::readMessage(Statement &q)
{
    MessageRecord m;
    m.id = q.int64(0);
    m.mailboxId = q.int64(1);
    m.uidvalidity = uint32_t(q.int64(2));
    m.uid = uint32_t(q.int64(3));
    m.date = q.int64(4);
    m.fromName = q.text(5);
    m.fromAddr = q.text(6);
    m.to = q.text(7);
    m.cc = q.text(8);
    m.subject = q.text(9);
    m.messageId = q.text(10);
    m.inReplyTo = q.text(11);
    m.references = q.text(12);
    m.size = q.int64(13);
    m.flags = q.integer(14);
    m.hasAttachment = q.integer(15) != 0;
    return m;
}

std::optional<MessageRecord> MailStore::message(int64_t id)
{
    Statement q = m_db.prepare((std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id=?").c_str());
    q.bind(1, id);
    if (q.step()) return readMessage(q);
    return std::nullopt;
}

std::vector<MessageRecord> MailStore::messages(int64_t mailboxId, int limit, int offset)
{
    std::vector<MessageRecord> out;
    Statement q = m_db.prepare((std::string("SELECT ") + kMessageColumns +
                                " FROM messages WHERE mailbox_id=? ORDER BY date DESC, id DESC LIMIT ? OFFSET ?").c_str());
    q.bind(1, mailboxId).bind(2, limit).bind(3, offset);
    while (q.step()) out.push_back(readMessage(q));
    return out;
}

std::vector<MessageRecord> MailStore::messagesByIds(const std::vector<int64_t> &ids)
{
    std::vector<MessageRecord> out;
    if (ids.empty()) return out;
    std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id IN (";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) sql += ',';
        sql += std::to_string(ids[i]);
    }
    sql += ')';
    Statement q = m_db.prepare(sql.c_str());
    while (q.step()) out.push_back(readMessage(q));
    return out;
}

void MailStore::setLocalFlags(const std::vector<int64_t> &ids, int flags, bool add)
{
    Statement q = m_db.prepare(add ? "UPDATE messages SET flags = flags | ? WHERE id=?"
                                   : "UPDATE messages SET flags = flags & ~? WHERE id=?");
    for (int64_t id : ids) {
        q.bind(1, flags).bind(2, id);
        q.exec();
    }
}

QString MailStore::encodeUids(const std::vector<uint32_t> &uids)
{
    QStringList l;
    for (uint32_t u : uids) l << QString::number(u);
    return l.join(QLatin1Char(','));
}

std::vector<uint32_t> MailStore::decodeUids(const QString &text)
{
    std::vector<uint32_t> out;
    for (const QString &s : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) out.push_back(s.toUInt());
    return out;
}

int64_t MailStore::enqueue(const PendingOp &op)
{
    Statement q = m_db.prepare("INSERT INTO pending_ops(account_id, mailbox, uidvalidity, kind, uids, arg) VALUES(?,?,?,?,?,?)");
    q.bind(1, op.accountId).bind(2, op.mailbox).bind(3, int64_t(op.uidvalidity)).bind(4, op.kind)
        .bind(5, encodeUids(op.uids)).bind(6, op.arg);
    q.step();
    return m_db.lastInsertId();
}

std::vector<PendingOp> MailStore::pendingOps(int64_t accountId, bool includeFailed)
{
    std::vector<PendingOp> out;
    Statement q = m_db.prepare(includeFailed
        ? "SELECT id, account_id, mailbox, uidvalidity, kind, uids, arg, state, error, progress FROM pending_ops WHERE account_id=? ORDER BY id"
        : "SELECT id, account_id, mailbox, uidvalidity, kind, uids, arg, state, error, progress FROM pending_ops WHERE account_id=? AND state='queued' ORDER BY id");
    q.bind(1, accountId);
    while (q.step()) {
        PendingOp op;
        op.id = q.int64(0);
        op.accountId = q.int64(1);
        op.mailbox = q.text(2);
        op.uidvalidity = uint32_t(q.int64(3));
        op.kind = q.text(4);
        op.uids = decodeUids(q.text(5));
        op.arg = q.text(6);
        op.state = q.text(7);
        op.error = q.text(8);
        op.progress = q.text(9);
        out.push_back(op);
    }
    return out;
}

void MailStore::completeOp(int64_t id)
{
    Statement q = m_db.prepare("DELETE FROM pending_ops WHERE id=?");
    q.bind(1, id).exec();
}

bool MailStore::retryOp(int64_t id)
{
    Statement q = m_db.prepare("UPDATE pending_ops SET state='queued', error='' WHERE id=? AND state='failed'");
    q.bind(1, id).exec();
    return m_db.changes() > 0;
}

bool MailStore::discardOp(int64_t id)
{
    Transaction tx(m_db);
    // The cache showed the change already: the folder's next sync reads every
    // flag again (not just CHANGEDSINCE), so what the server has is shown.
    Statement reset = m_db.prepare(
        "UPDATE mailboxes SET highestmodseq=0 WHERE (account_id, name) IN "
        "(SELECT account_id, mailbox FROM pending_ops WHERE id=? AND state='failed')");
    reset.bind(1, id).exec();
    Statement q = m_db.prepare("DELETE FROM pending_ops WHERE id=? AND state='failed'");
    q.bind(1, id).exec();
    const bool done = m_db.changes() > 0;
    tx.commit();
    return done;
}

int MailStore::failedOpCount()
{
    Statement q = m_db.prepare("SELECT COUNT(*) FROM pending_ops WHERE state='failed'");
    return q.step() ? q.integer(0) : 0;
}

void MailStore::setOpProgress(int64_t id, const QString &progress)
{
    Statement q = m_db.prepare("UPDATE pending_ops SET progress=? WHERE id=?");
    q.bind(1, progress).bind(2, id).exec();
}

void MailStore::failOp(int64_t id, const QString &error)
{
    Statement q = m_db.prepare("UPDATE pending_ops SET state='failed', error=? WHERE id=?");
    q.bind(1, error).bind(2, id).exec();
}

void MailStore::ensureLocalFolders(int64_t accountId)
{
    // A POP3 account's folders live only in the profile. UIDVALIDITY 1 and
    // locally assigned UIDs keep them in the same shape as IMAP folders.
    static const char *folders[][2] = {{"INBOX", "\\Inbox"}, {"Drafts", "\\Drafts"}, {"Sent", "\\Sent"},
                                       {"Trash", "\\Trash"}};
    Statement q = m_db.prepare("INSERT OR IGNORE INTO mailboxes(account_id, name, delimiter, special_use, uidvalidity, uidnext) "
                               "VALUES(?,?,'/',?,1,1)");
    for (auto &f : folders) {
        q.bind(1, accountId).bindText(2, f[0]).bindText(3, f[1]);
        q.exec();
    }
}

uint32_t MailStore::nextLocalUid(int64_t mailboxId)
{
    Statement q = m_db.prepare("SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox_id=?");
    q.bind(1, mailboxId);
    q.step();
    return uint32_t(q.int64(0));
}

int64_t MailStore::insertLocalMessage(int64_t mailboxId, MessageRecord m, const QByteArray &raw)
{
    m.uid = nextLocalUid(mailboxId);
    insertMessages(mailboxId, 1, {m});
    const int64_t id = m_db.lastInsertId();
    storeBody(id, raw);
    return id;
}

int64_t MailStore::copyLocal(int64_t messageId, int64_t destMailboxId)
{
    auto m = message(messageId);
    if (!m) return 0;
    auto raw = body(messageId);
    m->uid = nextLocalUid(destMailboxId);
    insertMessages(destMailboxId, 1, {*m});
    const int64_t id = m_db.lastInsertId();
    if (raw) storeBody(id, *raw);
    return id;
}

void MailStore::deleteMessage(int64_t messageId)
{
    Statement q = m_db.prepare("DELETE FROM messages WHERE id=?");
    q.bind(1, messageId).exec();
}

std::set<QString> MailStore::knownUidls(int64_t accountId)
{
    std::set<QString> out;
    Statement q = m_db.prepare("SELECT uidl FROM pop3_uidls WHERE account_id=? AND too_large_mb=0");
    q.bind(1, accountId);
    while (q.step()) out.insert(q.text(0));
    return out;
}

std::set<QString> MailStore::tooLargeUidls(int64_t accountId, int limitMB)
{
    std::set<QString> out;
    Statement q = m_db.prepare("SELECT uidl FROM pop3_uidls WHERE account_id=? AND too_large_mb>=?");
    q.bind(1, accountId).bind(2, limitMB);
    while (q.step()) out.insert(q.text(0));
    return out;
}

void MailStore::recordTooLarge(int64_t accountId, const QString &uidl, int limitMB, int64_t at)
{
    Statement q = m_db.prepare("INSERT OR REPLACE INTO pop3_uidls(account_id, uidl, message_id, fetched, on_server, too_large_mb) "
                               "VALUES(?,?,NULL,?,1,?)");
    q.bind(1, accountId).bind(2, uidl).bind(3, at).bind(4, limitMB).exec();
}

void MailStore::recordUidl(int64_t accountId, const QString &uidl, int64_t messageId, int64_t fetchedAt)
{
    Statement q = m_db.prepare("INSERT OR REPLACE INTO pop3_uidls(account_id, uidl, message_id, fetched, on_server) VALUES(?,?,?,?,1)");
    q.bind(1, accountId).bind(2, uidl).bind(3, messageId).bind(4, fetchedAt).exec();
}

std::vector<QString> MailStore::uidlsOnServerFetchedBefore(int64_t accountId, int64_t before)
{
    std::vector<QString> out;
    Statement q = m_db.prepare("SELECT uidl FROM pop3_uidls WHERE account_id=? AND on_server=1 AND fetched<? AND too_large_mb=0");
    q.bind(1, accountId).bind(2, before);
    while (q.step()) out.push_back(q.text(0));
    return out;
}

void MailStore::markUidlsGone(int64_t accountId, const std::vector<QString> &uidls)
{
    Statement q = m_db.prepare("UPDATE pop3_uidls SET on_server=0 WHERE account_id=? AND uidl=?");
    for (const QString &u : uidls) {
        q.bind(1, accountId).bind(2, u);
        q.exec();
    }
}

void MailStore::repointUidl(int64_t oldMessageId, int64_t newMessageId)
{
    Statement q = m_db.prepare("UPDATE pop3_uidls SET message_id=? WHERE message_id=?");
    q.bind(1, newMessageId).bind(2, oldMessageId).exec();
}

void MailStore::requestServerDelete(int64_t messageId)
{
    Statement q = m_db.prepare("UPDATE pop3_uidls SET delete_requested=1, message_id=NULL WHERE message_id=?");
    q.bind(1, messageId).exec();
}

std::vector<QString> MailStore::uidlsToDeleteOnServer(int64_t accountId)
{
    std::vector<QString> out;
    Statement q = m_db.prepare("SELECT uidl FROM pop3_uidls WHERE account_id=? AND on_server=1 AND delete_requested=1 AND too_large_mb=0");
    q.bind(1, accountId);
    while (q.step()) out.push_back(q.text(0));
    return out;
}

} // namespace heron::store
