#include "search/SearchIndex.h"

#include "mime/MessageContent.h"
#include "net/ImapResponse.h"

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
    store::Statement st = store.db().prepare(sql.c_str());
    bindParams(st, q);
    while (st.step()) r.ids.push_back(st.int64(0));
    return r;
}

int indexPending(store::MailStore &store, int max)
{
    std::vector<int64_t> ids;
    {
        store::Statement q = store.db().prepare(
            "SELECT b.message_id FROM bodies b WHERE NOT EXISTS (SELECT 1 FROM message_text t WHERE t.message_id=b.message_id) LIMIT ?");
        q.bind(1, max);
        while (q.step()) ids.push_back(q.int64(0));
    }
    int done = 0;
    for (int64_t id : ids) {
        auto raw = store.body(id);
        if (!raw) continue;
        const store::BodyText text = textForIndex(*raw);
        store::Transaction tx(store.db());
        store::Statement t = store.db().prepare("INSERT OR IGNORE INTO message_text(message_id, body, attachments) VALUES(?,?,?)");
        t.bind(1, id).bind(2, text.body).bind(3, text.attachments).exec();
        tx.commit();
        ++done;
    }
    return done;
}

} // namespace heron::search
