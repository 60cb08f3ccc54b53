#include "threads/Threads.h"

#include "store/MailStore.h"

#include <QHash>

#include <algorithm>
#include <unordered_map>

namespace heron::threads {

QStringList messageIds(const QString &header)
{
    QStringList out;
    qsizetype i = 0;
    const qsizetype n = header.size();
    bool bracketed = false;
    while (i < n) {
        qsizetype lt = header.indexOf(QLatin1Char('<'), i);
        if (lt < 0) break;
        const qsizetype gt = header.indexOf(QLatin1Char('>'), lt + 1);
        if (gt < 0) break;
        bracketed = true;
        lt = header.lastIndexOf(QLatin1Char('<'), gt); // "<<a@b>": the innermost
        const QString id = header.mid(lt + 1, gt - lt - 1).trimmed();
        if (!id.isEmpty()) out << id;
        i = gt + 1;
    }
    if (!bracketed) {
        for (const QString &part : header.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            if (part.contains(QLatin1Char('@'))) out << part.trimmed();
    }
    return out;
}

int64_t keyOf(const QString &messageId)
{
    const QByteArray u = messageId.toUtf8();
    uint64_t h = 14695981039346656037ull;
    for (char c : u) {
        h ^= uint8_t(c);
        h *= 1099511628211ull;
    }
    return int64_t(h & 0x7fffffffffffffffull);
}

namespace {
// What a message links: its own id first (if any), then what it refers to.
struct Links {
    QString own;
    QStringList refs; // oldest ancestor first, the parent last
};

Links linksOf(const QString &messageId, const QString &inReplyTo, const QString &references)
{
    Links l;
    const QStringList own = messageIds(messageId);
    if (!own.isEmpty()) l.own = own.front();
    l.refs = messageIds(references);
    if (l.refs.size() > kMaxReferences) l.refs = l.refs.mid(l.refs.size() - kMaxReferences);
    // In-Reply-To names the parent when References is missing (older
    // mailers) or does not end with it.
    const QStringList irt = messageIds(inReplyTo);
    if (!irt.isEmpty() && (l.refs.isEmpty() || l.refs.back() != irt.front())) l.refs << irt.front();
    l.refs.removeAll(l.own); // a message is not its own ancestor
    return l;
}
} // namespace

int assignPending(store::MailStore &store, int max)
{
    store::Database &db = store.db();
    store::Transaction tx(db);
    struct Pending {
        int64_t id, account;
        std::vector<int64_t> keys;
    };
    std::vector<Pending> batch;
    {
        store::Statement q = db.prepare(
            "SELECT m.id, b.account_id, m.message_id, m.in_reply_to, m.refs FROM messages m INDEXED BY messages_unthreaded "
            "JOIN mailboxes b ON b.id=m.mailbox_id WHERE m.thread=0 ORDER BY m.id LIMIT ?");
        q.bind(1, max);
        while (q.step()) {
            const Links l = linksOf(q.text(2), q.text(3), q.text(4));
            Pending p{q.int64(0), q.int64(1), {}};
            if (!l.own.isEmpty()) p.keys.push_back(keyOf(l.own));
            for (const QString &r : l.refs) p.keys.push_back(keyOf(r));
            std::sort(p.keys.begin(), p.keys.end());
            p.keys.erase(std::unique(p.keys.begin(), p.keys.end()), p.keys.end());
            batch.push_back(std::move(p));
        }
    }
    if (batch.empty()) return 0;
    int64_t next = 1;
    {
        // Numbers are never reused (merged away, or a message with no ids
        // that is gone): a list may still hold one as "open".
        store::Statement q = db.prepare("SELECT next FROM thread_counter");
        if (q.step()) next = q.int64(0);
    }
    store::Statement &lookup = db.cached("SELECT thread FROM thread_ids WHERE account_id=? AND key=?");
    store::Statement &remember = db.cached("INSERT OR IGNORE INTO thread_ids(account_id, key, thread) VALUES(?,?,?)");
    store::Statement &place = db.cached("UPDATE messages SET thread=? WHERE id=?");
    for (const Pending &p : batch) {
        std::vector<int64_t> found(p.keys.size(), 0);
        int64_t thread = 0;
        for (size_t i = 0; i < p.keys.size(); ++i) {
            lookup.bind(1, p.account).bind(2, p.keys[i]);
            if (lookup.step()) found[i] = lookup.int64(0);
            lookup.reset();
            if (found[i] && (!thread || found[i] < thread)) thread = found[i];
        }
        if (!thread) thread = next++;
        std::vector<int64_t> merged;
        for (size_t i = 0; i < p.keys.size(); ++i) {
            if (!found[i]) {
                remember.bind(1, p.account).bind(2, p.keys[i]).bind(3, thread).exec();
            } else if (found[i] != thread && std::find(merged.begin(), merged.end(), found[i]) == merged.end()) {
                // This message joins two conversations: one from now on.
                merged.push_back(found[i]);
                store::Statement ids = db.prepare("UPDATE thread_ids SET thread=?1 WHERE thread=?2");
                ids.bind(1, thread).bind(2, found[i]).exec();
                store::Statement msgs = db.prepare("UPDATE messages SET thread=?1 WHERE thread=?2 AND thread<>0");
                msgs.bind(1, thread).bind(2, found[i]).exec();
            }
        }
        place.bind(1, thread).bind(2, p.id).exec();
    }
    store::Statement counter = db.prepare("UPDATE thread_counter SET next=?");
    counter.bind(1, next).exec();
    tx.commit();
    return int(batch.size());
}

std::vector<int64_t> conversationOf(store::MailStore &store, int64_t messageId)
{
    std::vector<int64_t> out;
    store::Statement q = store.db().prepare(
        "SELECT m.id FROM messages m WHERE m.thread=(SELECT thread FROM messages WHERE id=?1) AND m.thread<>0 ORDER BY m.date, m.id");
    q.bind(1, messageId);
    while (q.step()) out.push_back(q.int64(0));
    return out;
}

std::vector<Placed> arrange(const std::vector<MessageRecord> &members)
{
    std::vector<const MessageRecord *> ms;
    ms.reserve(members.size());
    for (const MessageRecord &m : members) ms.push_back(&m);
    std::sort(ms.begin(), ms.end(), [](const MessageRecord *a, const MessageRecord *b) {
        return a->date != b->date ? a->date < b->date : a->id < b->id;
    });

    struct Container {
        int64_t msg = 0; // 0: a message nobody has (only referred to)
        int64_t date = 0;
        int parent = -1;
        std::vector<int> kids;
        int64_t first = 0; // oldest date in the subtree (sibling order)
        bool any = false;  // the subtree holds a message
    };
    std::vector<Container> cs;
    cs.reserve(ms.size() * 2);
    QHash<QString, int> byId;
    auto containerFor = [&](const QString &id) {
        auto it = byId.constFind(id);
        if (it != byId.constEnd()) return *it;
        cs.emplace_back();
        const int c = int(cs.size()) - 1;
        byId.insert(id, c);
        return c;
    };
    // Whether a is b or one of b's ancestors. Bounded: a walk longer than any
    // conversation's depth answers "yes", which only refuses a link.
    auto isAncestor = [&](int a, int b) {
        if (a == b) return true;
        if (cs[size_t(a)].kids.empty()) return false; // a leaf is nobody's ancestor: no walk (deep chains stay linear)
        size_t steps = 0;
        for (int x = b; x >= 0; x = cs[size_t(x)].parent) {
            if (x == a || ++steps > cs.size()) return true;
        }
        return false;
    };
    auto unlink = [&](int c) {
        const int p = cs[size_t(c)].parent;
        if (p < 0) return;
        auto &k = cs[size_t(p)].kids;
        k.erase(std::remove(k.begin(), k.end(), c), k.end());
        cs[size_t(c)].parent = -1;
    };
    auto link = [&](int parent, int child) {
        cs[size_t(child)].parent = parent;
        cs[size_t(parent)].kids.push_back(child);
    };

    for (const MessageRecord *m : ms) {
        const Links l = linksOf(m->messageId, m->inReplyTo, m->references);
        int c;
        auto it = l.own.isEmpty() ? byId.constEnd() : byId.constFind(l.own);
        if (!l.own.isEmpty() && (it == byId.constEnd() || cs[size_t(*it)].msg == 0)) {
            c = containerFor(l.own);
        } else {
            // No Message-ID, or one that another member already has (the same
            // message in two folders, or a forgery): a container of its own.
            cs.emplace_back();
            c = int(cs.size()) - 1;
        }
        cs[size_t(c)].msg = m->id;
        cs[size_t(c)].date = m->date;
        // References, oldest first, link each id to the next where nothing
        // links it yet and no loop would close.
        int prev = -1;
        for (const QString &r : l.refs) {
            const int rc = containerFor(r);
            if (rc == c) continue;
            if (prev >= 0 && cs[size_t(rc)].parent < 0 && !isAncestor(rc, prev)) link(prev, rc);
            prev = rc;
        }
        // The message itself goes below its last reference, whatever other
        // messages' References guessed for it.
        if (prev >= 0 && !isAncestor(c, prev)) {
            if (cs[size_t(c)].parent != prev) {
                unlink(c);
                link(prev, c);
            }
        } else if (prev < 0) {
            unlink(c);
        }
    }

    // Sibling order: by the oldest message below each (post-order, iterative:
    // a 100,000-deep chain must not overflow the stack).
    std::vector<int> roots;
    for (size_t i = 0; i < cs.size(); ++i)
        if (cs[i].parent < 0) roots.push_back(int(i));
    {
        std::vector<std::pair<int, bool>> stack;
        for (int r : roots) stack.push_back({r, false});
        while (!stack.empty()) {
            auto [c, done] = stack.back();
            stack.pop_back();
            Container &x = cs[size_t(c)];
            if (!done) {
                stack.push_back({c, true});
                for (int k : x.kids) stack.push_back({k, false});
                continue;
            }
            x.any = x.msg != 0;
            x.first = x.msg ? x.date : INT64_MAX;
            for (int k : x.kids) {
                if (!cs[size_t(k)].any) continue;
                x.any = true;
                x.first = std::min(x.first, cs[size_t(k)].first);
            }
        }
    }
    auto older = [&](int a, int b) {
        const Container &x = cs[size_t(a)], &y = cs[size_t(b)];
        if (x.first != y.first) return x.first < y.first;
        return a < b;
    };
    std::sort(roots.begin(), roots.end(), older);
    for (Container &x : cs) std::sort(x.kids.begin(), x.kids.end(), older);

    // Depth-first, pre-order. A container nobody has adds no level (its
    // replies stand where it would); every root after the first goes one
    // level below the head.
    std::vector<Placed> out;
    out.reserve(ms.size());
    std::vector<char> seen(cs.size(), 0);
    struct Item {
        int c;
        int depth;
    };
    std::vector<Item> stack;
    for (auto r = roots.rbegin(); r != roots.rend(); ++r)
        if (cs[size_t(*r)].any) stack.push_back({*r, 0});
    bool nested = false; // the head is placed: depth 0 belongs to it alone
    while (!stack.empty()) {
        Item it = stack.back();
        stack.pop_back();
        if (seen[size_t(it.c)]) continue;
        seen[size_t(it.c)] = 1;
        const Container &x = cs[size_t(it.c)];
        int depth = it.depth;
        if (x.msg) {
            if (depth == 0 && nested) depth = 1;
            out.push_back({x.msg, depth});
            nested = true;
        }
        const int below = x.msg ? depth + 1 : depth;
        for (auto k = x.kids.rbegin(); k != x.kids.rend(); ++k)
            if (cs[size_t(*k)].any) stack.push_back({*k, below});
    }
    return out;
}

} // namespace heron::threads
