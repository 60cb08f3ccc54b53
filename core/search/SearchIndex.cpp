#include "search/SearchIndex.h"

#include "mime/MessageContent.h"
#include "net/ImapResponse.h"
#include "util/ErrorText.h"

namespace heron::search {

store::BodyText textForIndex(const QByteArray &raw)
{
    store::BodyText out;
    const mime::MessageContent c = mime::parseMessage(raw);
    out.body = c.plainText.isEmpty() ? mime::htmlToPlainText(c.html) : c.plainText;
    if (out.body.size() > kMaxIndexedChars) out.body.truncate(kMaxIndexedChars);
    QStringList names;
    for (const mime::Attachment &a : c.attachments) names << a.fileName;
    out.attachments = names.join(QLatin1Char(' '));
    return out;
}

namespace {
bool roleMatches(const QString &specialUse, const QString &word)
{
    static const std::pair<const char *, const char *> roles[] = {
        {"inbox", "\\Inbox"}, {"sent", "\\Sent"}, {"drafts", "\\Drafts"}, {"trash", "\\Trash"},
        {"junk", "\\Junk"},   {"spam", "\\Junk"}, {"archive", "\\Archive"}};
    for (const auto &[name, role] : roles)
        if (word == QLatin1String(name) && specialUse == QLatin1String(role)) return true;
    return false;
}
} // namespace

QueryContext contextFor(store::MailStore &store, int64_t accountId)
{
    QueryContext ctx;
    ctx.folders = [&store, accountId](const QString &name) {
        std::vector<int64_t> ids;
        const QString want = name.toLower();
        for (const AccountConfig &a : store.accounts()) {
            if (accountId && a.id != accountId) continue;
            for (const MailboxRecord &mb : store.mailboxes(a.id)) {
                const QString path = net::decodeMailboxName(mb.name.toLatin1());
                const QString last = path.section(mb.delimiter.isEmpty() ? QStringLiteral("/") : mb.delimiter, -1);
                if (path.toLower() == want || last.toLower() == want || roleMatches(mb.specialUse, want))
                    ids.push_back(mb.id);
            }
        }
        return ids;
    };
    ctx.accounts = [&store](const QString &name) {
        std::vector<int64_t> ids;
        for (const AccountConfig &a : store.accounts())
            if (a.name.compare(name, Qt::CaseInsensitive) == 0 || a.email.compare(name, Qt::CaseInsensitive) == 0 ||
                a.name.startsWith(name, Qt::CaseInsensitive))
                ids.push_back(a.id);
        return ids;
    };
    return ctx;
}

void bindParams(store::Statement &st, const CompiledQuery &q, int first)
{
    int i = first;
    for (const SqlParam &p : q.params) {
        if (p.isText) st.bind(i++, p.text);
        else st.bind(i++, p.number);
    }
}

Result find(store::MailStore &store, const QString &query, const Scope &scope, int limit)
{
    const QueryContext ctx = contextFor(store, scope.accountId);
    const CompiledQuery q = compileQuery(query, ctx);
    Result r;
    r.error = q.error;
    std::string sql = "SELECT m.id FROM messages m JOIN mailboxes x ON x.id=m.mailbox_id WHERE (" + q.where + ")";
    if (scope.accountId) sql += " AND x.account_id=" + std::to_string(scope.accountId);
    if (!scope.mailboxIds.empty()) {
        std::string in;
        for (int64_t id : scope.mailboxIds) in += (in.empty() ? "" : ",") + std::to_string(id);
        sql += " AND m.mailbox_id IN (" + in + ")";
    }
    sql += " ORDER BY m.date DESC, m.id DESC LIMIT " + std::to_string(std::max(0, limit));
    try {
        store::Statement st = store.db().prepare(sql.c_str());
        bindParams(st, q);
        while (st.step()) r.ids.push_back(st.int64(0));
    } catch (...) {
        // Not expected (the compiler only writes what FTS5 accepts); if it
        // happens, the search says so instead of failing its caller.
        r.ids.clear();
        r.error = QStringLiteral("the search could not be run: %1").arg(util::describeCurrentException().message);
    }
    return r;
}

int indexPending(store::MailStore &store, int max)
{
    store::Database &db = store.db();
    int done = 0;
    // 1. Bodies cached before the index existed: their words, one by one
    // (each is parsed; the list was made by the schema migration).
    std::vector<int64_t> ids;
    {
        store::Statement q = db.prepare("SELECT message_id FROM bodies_unindexed LIMIT ?");
        q.bind(1, max);
        while (q.step()) ids.push_back(q.int64(0));
    }
    for (int64_t id : ids) {
        const auto raw = store.body(id);
        const store::BodyText text = raw ? textForIndex(*raw) : store::BodyText{};
        store::Transaction tx(db);
        if (raw) {
            // Only while the body is still there (another connection may have
            // evicted it, or deleted the message, since it was read).
            store::Statement t = db.prepare("INSERT OR IGNORE INTO message_text(message_id, body, attachments) "
                                            "SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM bodies WHERE message_id=?1)");
            t.bind(1, id).bind(2, text.body).bind(3, text.attachments).exec();
        }
        store::Statement d = db.prepare("DELETE FROM bodies_unindexed WHERE message_id=?");
        d.bind(1, id).exec();
        tx.commit();
        ++done;
    }
    if (done >= max) return done;
    // 2. Messages not in the index yet (just synced): up to max in one
    // transaction, with the words of their bodies where these are cached.
    store::Transaction tx(db);
    int64_t last = 0;
    {
        store::Statement q = db.prepare("SELECT id FROM messages INDEXED BY messages_unindexed WHERE indexed=0 ORDER BY id LIMIT ?");
        q.bind(1, max - done);
        while (q.step()) last = q.int64(0);
    }
    if (last == 0) return done;
    store::Statement ins = db.prepare(
        "INSERT INTO search(rowid, sender, to_list, cc_list, subject, body, attachments) "
        "SELECT m.id, m.from_name || ' ' || m.from_addr, m.to_list, m.cc_list, m.subject, COALESCE(t.body, ''), "
        "COALESCE(t.attachments, '') FROM messages m LEFT JOIN message_text t ON t.message_id=m.id "
        "WHERE m.indexed=0 AND m.id<=?");
    ins.bind(1, last).exec();
    store::Statement mark = db.prepare("UPDATE messages SET indexed=1 WHERE indexed=0 AND id<=?");
    mark.bind(1, last).exec();
    done += db.changes();
    tx.commit();
    return done;
}

} // namespace heron::search
