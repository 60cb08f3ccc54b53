#include "compose/Outbox.h"

#include "mime/Envelope.h"
#include "net/ImapSession.h"
#include "net/SmtpSession.h"
#include "store/Lease.h"
#include "util/CrashPoint.h"

namespace heron::compose {

using store::Statement;
using store::Transaction;

Outbox::Outbox(store::MailStore &store) : m_store(store) {}
Outbox::~Outbox() = default;

int64_t Outbox::enqueue(int64_t accountId, const BuiltMessage &m, const QString &subject)
{
    Statement q = m_store.db().prepare(
        "INSERT INTO outbox(account_id, state, raw, envelope_from, recipients, subject) VALUES(?, 'queued', ?, ?, ?, ?)");
    q.bind(1, accountId).bind(2, m.raw).bind(3, m.envelopeFrom).bind(4, m.recipients.join(QLatin1Char('\n'))).bind(5, subject);
    q.step();
    return m_store.db().lastInsertId();
}

int Outbox::recoverDeadOwners(const char *state, const char *assignments)
{
    std::vector<std::pair<int64_t, QString>> rows;
    {
        Statement q = m_store.db().prepare("SELECT id, owner FROM outbox WHERE state=?");
        q.bindText(1, state);
        while (q.step()) rows.emplace_back(q.int64(0), q.text(1));
    }
    const std::string sql = std::string("UPDATE outbox SET ") + assignments +
                            ", updated=strftime('%s','now') WHERE id=? AND state=? AND owner=?";
    int n = 0;
    for (const auto &[id, owner] : rows) {
        if (store::ownerAlive(owner)) continue; // another live process (the window, another heron-cli) is at it
        Statement q = m_store.db().prepare(sql.c_str());
        q.bind(1, id).bindText(2, state).bind(3, owner).exec();
        n += m_store.db().changes();
    }
    return n;
}

int Outbox::recoverAfterCrash()
{
    // Only rows whose owner is gone were interrupted. Claimed but not begun:
    // nothing was transmitted, back to the queue. Filing a copy in Sent: to
    // be filed again. Sending: it may or may not have gone out.
    recoverDeadOwners("claimed", "state='queued', owner=''");
    recoverDeadOwners("filing", "state='sent'");
    return recoverDeadOwners(
        "sending", "state='unknown', error='Heron stopped while sending this message: it may or may not have been sent. "
                   "Check the recipient''s copy or your Sent folder, then send it again or discard it.'");
}

std::vector<OutboxEntry> Outbox::entries(int64_t accountId)
{
    std::vector<OutboxEntry> out;
    Statement q = m_store.db().prepare(
        "SELECT id, account_id, state, subject, recipients, error FROM outbox WHERE account_id=? AND state NOT LIKE 'draft%' ORDER BY id");
    q.bind(1, accountId);
    while (q.step()) {
        OutboxEntry e;
        e.id = q.int64(0);
        e.accountId = q.int64(1);
        e.state = q.text(2);
        e.subject = q.text(3);
        e.recipients = q.text(4).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        e.error = q.text(5);
        out.push_back(e);
    }
    return out;
}

bool Outbox::retry(int64_t id)
{
    Statement q = m_store.db().prepare(
        "UPDATE outbox SET state='queued', error='', updated=strftime('%s','now') WHERE id=? AND state IN ('failed','unknown')");
    q.bind(1, id).exec();
    return m_store.db().changes() > 0;
}

bool Outbox::discard(int64_t id)
{
    // A row being sent right now cannot be taken back; any other state can.
    Statement q = m_store.db().prepare(
        "DELETE FROM outbox WHERE id=? AND state NOT IN ('claimed','sending') AND state NOT LIKE 'draft%'");
    q.bind(1, id).exec();
    return m_store.db().changes() > 0;
}

void Outbox::saveToSent(const AccountConfig &account, const QString &password, const Profile &profile, int64_t id,
                        const QByteArray &raw, net::CancelFlag cancel)
{
    if (account.isPop3()) {
        m_store.ensureLocalFolders(account.id);
        auto sent = m_store.mailboxByRole(account.id, QStringLiteral("\\Sent"));
        Transaction tx(m_store.db());
        MessageRecord m = mime::envelopeFromRaw(raw);
        m.flags = Flag::Seen;
        m_store.insertLocalMessage(sent->id, m, raw);
        m_store.recount(sent->id);
        Statement del = m_store.db().prepare("DELETE FROM outbox WHERE id=?");
        del.bind(1, id).exec();
        tx.commit();
        return;
    }
    // One IMAP connection for all the copies of a run (a login per message
    // would be slow and look like abuse to the server).
    if (!m_imap || !m_imap->isConnected()) {
        // Kept only once it knows where Sent is (a failure on the way leaves nothing half set up).
        auto imap = std::make_unique<net::ImapSession>(account, password, profile.trustPolicy(), cancel);
        imap->connect();
        auto sent = m_store.mailboxByRole(account.id, QStringLiteral("\\Sent"));
        QByteArray folder = sent ? sent->name.toLatin1() : QByteArray();
        if (folder.isEmpty())
            for (const net::ImapFolderInfo &f : imap->listFolders())
                if (f.specialUse == QLatin1String("\\Sent")) folder = f.rawName;
        m_sentFolder = folder.isEmpty() ? QByteArray("Sent") : folder;
        m_imap = std::move(imap);
    }
    m_imap->append(m_sentFolder, raw, Flag::Seen);
    Statement del = m_store.db().prepare("DELETE FROM outbox WHERE id=?");
    del.bind(1, id).exec();
}

int64_t Outbox::saveDraft(int64_t draftId, int64_t accountId, const BuiltMessage &m, const QString &subject,
                          uint32_t replacesUid)
{
    if (draftId) {
        Statement q = m_store.db().prepare(
            "UPDATE outbox SET raw=?, envelope_from=?, recipients=?, subject=?, draft_dirty=1, state='draft', "
            "updated=strftime('%s','now') WHERE id=? AND state LIKE 'draft%'");
        q.bind(1, m.raw).bind(2, m.envelopeFrom).bind(3, m.recipients.join(QLatin1Char('\n'))).bind(4, subject).bind(5, draftId).exec();
        if (m_store.db().changes() > 0) return draftId;
    }
    Statement q = m_store.db().prepare(
        "INSERT INTO outbox(account_id, state, raw, envelope_from, recipients, subject, draft_server_uid, draft_dirty) "
        "VALUES(?, 'draft', ?, ?, ?, ?, ?, 1)");
    q.bind(1, accountId).bind(2, m.raw).bind(3, m.envelopeFrom).bind(4, m.recipients.join(QLatin1Char('\n')))
        .bind(5, subject).bind(6, int64_t(replacesUid));
    q.step();
    return m_store.db().lastInsertId();
}

void Outbox::closeDraft(int64_t draftId)
{
    Statement q = m_store.db().prepare("UPDATE outbox SET state='draft-closed' WHERE id=? AND state='draft'");
    q.bind(1, draftId).exec();
    Statement del = m_store.db().prepare("DELETE FROM outbox WHERE id=? AND state='draft-closed' AND draft_dirty=0");
    del.bind(1, draftId).exec();
}

void Outbox::dropDraft(int64_t draftId, uint32_t serverUidIfNoRow, int64_t accountIdIfNoRow)
{
    uint32_t uid = serverUidIfNoRow;
    int64_t accountId = accountIdIfNoRow;
    if (draftId) {
        Statement q = m_store.db().prepare("SELECT draft_server_uid, account_id FROM outbox WHERE id=? AND state LIKE 'draft%'");
        q.bind(1, draftId);
        if (q.step()) {
            uid = uint32_t(q.int64(0));
            accountId = q.int64(1);
        }
    }
    Transaction tx(m_store.db());
    if (draftId) {
        Statement del = m_store.db().prepare("DELETE FROM outbox WHERE id=? AND state LIKE 'draft%'");
        del.bind(1, draftId).exec();
    }
    auto account = m_store.account(accountId);
    auto drafts = account ? m_store.mailboxByRole(accountId, QStringLiteral("\\Drafts")) : std::nullopt;
    if (uid && drafts) {
        if (account->isPop3()) {
            Statement del = m_store.db().prepare("DELETE FROM messages WHERE mailbox_id=? AND uid=?");
            del.bind(1, drafts->id).bind(2, int64_t(uid)).exec();
            m_store.recount(drafts->id);
        } else {
            store::PendingOp op;
            op.accountId = accountId;
            op.mailbox = drafts->name;
            op.uidvalidity = drafts->uidvalidity;
            op.kind = QStringLiteral("expunge");
            op.uids = {uid};
            m_store.enqueue(op);
            m_store.deleteUids(drafts->id, {uid});
            m_store.recount(drafts->id);
        }
    }
    tx.commit();
}

int Outbox::uploadDrafts(const AccountConfig &account, const QString &password, const Profile &profile,
                         net::CancelFlag cancel)
{
    struct Item { int64_t id; QByteArray raw; uint32_t oldUid; };
    std::vector<Item> items;
    {
        Statement q = m_store.db().prepare(
            "SELECT id, raw, draft_server_uid FROM outbox WHERE account_id=? AND state LIKE 'draft%' AND draft_dirty=1 ORDER BY id");
        q.bind(1, account.id);
        while (q.step()) items.push_back({q.int64(0), q.blob(1), uint32_t(q.int64(2))});
    }
    if (items.empty()) return 0;
    if (account.isPop3()) m_store.ensureLocalFolders(account.id);
    int done = 0;
    std::unique_ptr<net::ImapSession> imap;
    QByteArray folder;
    for (const Item &it : items) {
        uint32_t newUid = 0;
        if (account.isPop3()) {
            auto drafts = m_store.mailboxByRole(account.id, QStringLiteral("\\Drafts"));
            Transaction tx(m_store.db());
            MessageRecord m = mime::envelopeFromRaw(it.raw);
            m.flags = Flag::Seen | Flag::Draft;
            const int64_t id = m_store.insertLocalMessage(drafts->id, m, it.raw);
            newUid = m_store.message(id)->uid;
            if (it.oldUid) {
                Statement del = m_store.db().prepare("DELETE FROM messages WHERE mailbox_id=? AND uid=?");
                del.bind(1, drafts->id).bind(2, int64_t(it.oldUid)).exec();
            }
            m_store.recount(drafts->id);
            Statement up = m_store.db().prepare("UPDATE outbox SET draft_server_uid=?, draft_dirty=0 WHERE id=? AND raw=?");
            up.bind(1, int64_t(newUid)).bind(2, it.id).bind(3, it.raw).exec();
            tx.commit();
        } else {
            if (!imap) {
                imap = std::make_unique<net::ImapSession>(account, password, profile.trustPolicy(), cancel);
                imap->connect();
                auto drafts = m_store.mailboxByRole(account.id, QStringLiteral("\\Drafts"));
                folder = drafts ? drafts->name.toLatin1() : QByteArray();
                if (folder.isEmpty())
                    for (const net::ImapFolderInfo &f : imap->listFolders())
                        if (f.specialUse == QLatin1String("\\Drafts")) folder = f.rawName;
                if (folder.isEmpty()) folder = "Drafts";
            }
            newUid = imap->append(folder, it.raw, Flag::Seen | Flag::Draft);
            // Only now that the new copy is stored may the old one go.
            if (it.oldUid) {
                imap->select(folder);
                imap->expungeUids({it.oldUid});
            }
            Statement up = m_store.db().prepare("UPDATE outbox SET draft_server_uid=?, draft_dirty=0 WHERE id=? AND raw=?");
            up.bind(1, int64_t(newUid)).bind(2, it.id).bind(3, it.raw).exec();
            if (m_store.db().changes() == 0) {
                // Edited meanwhile: the next upload replaces this copy.
                Statement keep = m_store.db().prepare("UPDATE outbox SET draft_server_uid=? WHERE id=?");
                keep.bind(1, int64_t(newUid)).bind(2, it.id).exec();
            }
        }
        Statement del = m_store.db().prepare("DELETE FROM outbox WHERE id=? AND state='draft-closed' AND draft_dirty=0");
        del.bind(1, it.id).exec();
        ++done;
    }
    if (imap) imap->logout();
    return done;
}

bool Outbox::hasWork(int64_t accountId)
{
    Statement q = m_store.db().prepare(
        "SELECT 1 FROM outbox WHERE account_id=? AND state IN ('queued','sent','claimed','sending','filing') LIMIT 1");
    q.bind(1, accountId);
    return q.step();
}

std::optional<int64_t> Outbox::nextQueued(int64_t accountId)
{
    Statement q = m_store.db().prepare("SELECT id FROM outbox WHERE account_id=? AND state='queued' ORDER BY id LIMIT 1");
    q.bind(1, accountId);
    if (q.step()) return q.int64(0);
    return std::nullopt;
}

bool Outbox::claim(int64_t id)
{
    // Compare-and-set: of all the processes and threads that saw this row
    // queued, exactly one turns it into "claimed"; a row discarded meanwhile
    // is gone and cannot be claimed.
    Statement q = m_store.db().prepare(
        "UPDATE outbox SET state='claimed', owner=?, error='', updated=strftime('%s','now') WHERE id=? AND state='queued'");
    q.bind(1, store::processOwner()).bind(2, id).exec();
    return m_store.db().changes() == 1;
}

OutboxResult Outbox::process(const AccountConfig &account, const QString &password, const Profile &profile,
                             net::CancelFlag cancel)
{
    OutboxResult result;
    std::unique_ptr<net::SmtpSession> smtp;
    // Rows of processes that died since (a heron-cli killed while this window
    // runs) are recovered now, not only at the next start.
    recoverAfterCrash();
    // 1. Send: one row at a time, each claimed before a byte goes out. Rows
    // queued while this runs are sent too; rows another process claimed are its own.
    while (!(cancel && *cancel)) {
        const std::optional<int64_t> next = nextQueued(account.id);
        if (!next) break;
        if (!smtp) {
            try {
                smtp = std::make_unique<net::SmtpSession>(account, password, profile.trustPolicy(), cancel);
                smtp->connect(); // offline here: nothing was transmitted, it stays queued
            } catch (const net::NetError &e) {
                Statement n = m_store.db().prepare("SELECT count(*) FROM outbox WHERE account_id=? AND state='queued'");
                n.bind(1, account.id);
                result.stillQueued = n.step() ? n.integer(0) : 0;
                result.errors << e.message();
                smtp.reset();
                if (e.kind() == net::NetError::Auth || e.kind() == net::NetError::Certificate || e.kind() == net::NetError::Tls)
                    throw;
                break;
            }
        }
        if (!claim(*next)) continue; // another process or thread took it (or it was discarded)
        QByteArray raw;
        try {
            Statement q = m_store.db().prepare("SELECT raw, envelope_from, recipients FROM outbox WHERE id=?");
            q.bind(1, *next);
            if (!q.step()) continue;
            raw = q.blob(0);
            const QString from = q.text(1);
            const QStringList rcpts = q.text(2).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            q.reset();
            HERON_CRASH_POINT("outbox-claimed");
            // "claimed": nothing went out yet (a crash now puts it back in the
            // queue). "sending", committed before the first byte of the
            // transaction: from here a crash leaves it Unknown. Only the
            // claimer moves it on, and only from the state it left it in.
            if (!transition(*next, "claimed", "sending")) continue;
            HERON_CRASH_POINT("outbox-before-data");
            try {
                smtp->send(raw, from, rcpts);
            } catch (const net::NetError &e) {
                if (e.kind() == net::NetError::Server) {
                    transition(*next, "sending", "failed", e.message());
                    ++result.failed;
                    result.errors << e.message();
                    continue;
                }
                transition(*next, "sending", "unknown",
                           QStringLiteral("The connection broke while sending (%1): the message may or may not have been "
                                          "sent. Send it again or discard it.").arg(e.message()));
                result.errors << e.message();
                smtp.reset();
                continue;
            }
            HERON_CRASH_POINT("outbox-after-data");
            transition(*next, "sending", "sent");
        } catch (...) {
            // The store failed under us (disk full, ...): leave the row in a
            // state that says what happened, if the store lets us.
            try {
                if (!transition(*next, "claimed", "queued"))
                    transition(*next, "sending", "unknown",
                               QStringLiteral("Heron could not record whether this message was sent. Check your Sent "
                                              "folder, then send it again or discard it."));
            } catch (...) {
            }
            throw;
        }
        ++result.sent;
        HERON_CRASH_POINT("outbox-sent-recorded");
        if (transition(*next, "sent", "filing")) fileInSent(account, password, profile, *next, raw, cancel, &result);
    }
    if (smtp) smtp->disconnect();

    // 2. Copies still to file in Sent (the server was unreachable, or the
    // process that sent them stopped): never sent again, only filed. "filing"
    // makes the filer exclusive, even between threads of one process.
    std::vector<std::pair<int64_t, QString>> unfiled;
    {
        Statement q = m_store.db().prepare("SELECT id, owner FROM outbox WHERE account_id=? AND state='sent' ORDER BY id");
        q.bind(1, account.id);
        while (q.step()) unfiled.emplace_back(q.int64(0), q.text(1));
    }
    for (const auto &[id, owner] : unfiled) {
        if (cancel && *cancel) break;
        if (owner != store::processOwner() && store::ownerAlive(owner)) continue; // its sender files it
        Statement take = m_store.db().prepare("UPDATE outbox SET owner=?, state='filing' WHERE id=? AND state='sent' AND owner=?");
        take.bind(1, store::processOwner()).bind(2, id).bind(3, owner).exec();
        if (m_store.db().changes() != 1) continue;
        Statement q = m_store.db().prepare("SELECT raw FROM outbox WHERE id=?");
        q.bind(1, id);
        if (!q.step()) continue;
        const QByteArray raw = q.blob(0);
        q.reset();
        fileInSent(account, password, profile, id, raw, cancel, &result);
    }
    if (m_imap) {
        try { m_imap->logout(); } catch (...) {}
        m_imap.reset();
    }
    return result;
}

bool Outbox::transition(int64_t id, const char *from, const char *to, const QString &error)
{
    Statement q = m_store.db().prepare(
        "UPDATE outbox SET state=?, error=?, updated=strftime('%s','now') WHERE id=? AND owner=? AND state=?");
    q.bindText(1, to).bind(2, error).bind(3, id).bind(4, store::processOwner()).bindText(5, from).exec();
    return m_store.db().changes() == 1;
}

void Outbox::fileInSent(const AccountConfig &account, const QString &password, const Profile &profile, int64_t id,
                        const QByteArray &raw, net::CancelFlag cancel, OutboxResult *result)
{
    try {
        saveToSent(account, password, profile, id, raw, cancel);
        ++result->savedToSent;
    } catch (const std::exception &e) {
        // Sent but not yet filed: stays "sent", filed on a later run, never resent.
        const QString why = dynamic_cast<const net::NetError *>(&e) ? static_cast<const net::NetError &>(e).message()
                                                                     : QString::fromUtf8(e.what());
        result->errors << QStringLiteral("The message was sent, but the copy in Sent could not be saved yet: %1").arg(why);
        try { transition(id, "filing", "sent"); } catch (...) {}
    }
}

} // namespace heron::compose
