// Conversations: the shape of one (JWZ's algorithm, arrange()) on crafted
// References chains (loops, missing parents, duplicates, 1,000-message
// threads, hostile headers), and which messages belong together in a real
// store as mail arrives in any order (assignPending()).
#include "store/MailStore.h"
#include "threads/Threads.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

using namespace heron;
using namespace heron::store;

namespace {
MessageRecord msg(int64_t id, const QString &mid, const QString &refs = {}, const QString &irt = {}, int64_t date = 0)
{
    MessageRecord m;
    m.id = id;
    m.messageId = mid.isEmpty() ? QString() : QLatin1Char('<') + mid + QLatin1Char('>');
    m.references = refs;
    m.inReplyTo = irt;
    m.date = date ? date : 1'000'000 + id * 60;
    return m;
}
QString ref(const QString &mid) { return QLatin1Char('<') + mid + QLatin1Char('>'); }

// "id:depth id:depth ..." in reading order.
QString shape(const std::vector<threads::Placed> &p)
{
    QStringList out;
    for (const threads::Placed &x : p) out << QStringLiteral("%1:%2").arg(x.id).arg(x.depth);
    return out.join(QLatin1Char(' '));
}
} // namespace

class TestThreads : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<MailStore> s;
    uint32_t m_uid = 0;

    int64_t account(const char *name)
    {
        AccountConfig a;
        a.name = QString::fromLatin1(name);
        a.email = QString::fromLatin1(name) + QStringLiteral("@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming = {QStringLiteral("imap.example.org"), 993, Security::Tls};
        a.username = QStringLiteral("me");
        return s->addAccount(a);
    }
    int64_t folder(int64_t acc, const char *name, const char *use)
    {
        FolderUpdate f;
        f.rawName = name;
        f.delimiter = "/";
        f.specialUse = use;
        std::vector<FolderUpdate> all{f};
        for (const MailboxRecord &mb : s->mailboxes(acc)) {
            FolderUpdate o;
            o.rawName = mb.name.toLatin1();
            o.delimiter = "/";
            o.specialUse = mb.specialUse;
            all.push_back(o);
        }
        s->updateFolders(acc, all);
        return s->mailboxByName(acc, QString::fromLatin1(name))->id;
    }
    // Stores a message with these headers; returns its id.
    int64_t store(int64_t mailbox, const QString &mid, const QString &refs = {}, const QString &irt = {})
    {
        MessageRecord m;
        m.uid = ++m_uid;
        m.date = 1'700'000'000 + m_uid;
        m.messageId = mid.isEmpty() ? QString() : ref(mid);
        m.references = refs;
        m.inReplyTo = irt;
        m.subject = mid;
        s->insertMessages(mailbox, 1, {m});
        return s->idsForUids(mailbox, {m.uid}).front();
    }
    int64_t threadOf(int64_t id)
    {
        Statement q = s->db().prepare("SELECT thread FROM messages WHERE id=?");
        q.bind(1, id);
        return q.step() ? q.int64(0) : -1;
    }
    void placeAll(int batch = 1000)
    {
        while (threads::assignPending(*s, batch) > 0) {}
    }

private Q_SLOTS:
    void init()
    {
        const QString dir = m_dir.filePath(QStringLiteral("s%1").arg(++m_n));
        QDir().mkpath(dir);
        s = std::make_unique<MailStore>(dir + QStringLiteral("/heron.db"));
    }

    void messageIdsAreReadFromHeaders()
    {
        QCOMPARE(threads::messageIds(QStringLiteral("<a@b> <c@d>\t<e@f>")), (QStringList{"a@b", "c@d", "e@f"}));
        QCOMPARE(threads::messageIds(QStringLiteral("<a@b>(comment) junk <c@d")), (QStringList{"a@b"}));
        QCOMPARE(threads::messageIds(QStringLiteral("a@b c@d")), (QStringList{"a@b", "c@d"})); // no brackets at all
        QCOMPARE(threads::messageIds(QStringLiteral("<> <<x@y>")), (QStringList{"x@y"}));
        QVERIFY(threads::messageIds(QString()).isEmpty());
        QVERIFY(threads::keyOf(QStringLiteral("a@b")) >= 0);
        QVERIFY(threads::keyOf(QStringLiteral("a@b")) != threads::keyOf(QStringLiteral("a@c")));
    }

    void repliesGoBelowWhatTheyAnswer()
    {
        // 1 <- 2 <- 3, and 4 answers 1 too (a branch); given in any order.
        std::vector<MessageRecord> ms{
            msg(3, "c", ref("a") + ' ' + ref("b")),
            msg(1, "a"),
            msg(4, "d", ref("a")),
            msg(2, "b", ref("a"), ref("a")),
        };
        QCOMPARE(shape(threads::arrange(ms)), QStringLiteral("1:0 2:1 3:2 4:1"));
    }

    void inReplyToAloneIsEnough()
    {
        std::vector<MessageRecord> ms{msg(1, "a"), msg(2, "b", {}, ref("a") + QStringLiteral(" (Alice's message)"))};
        QCOMPARE(shape(threads::arrange(ms)), QStringLiteral("1:0 2:1"));
    }

    void missingParentsLeaveOneHead()
    {
        // Two replies to a message nobody has, and a reply to one of them:
        // the oldest reply heads the conversation, the other stands below it.
        std::vector<MessageRecord> ms{
            msg(5, "x", ref("gone")),
            msg(6, "y", ref("gone")),
            msg(7, "z", ref("gone") + ' ' + ref("y")),
        };
        QCOMPARE(shape(threads::arrange(ms)), QStringLiteral("5:0 6:1 7:2"));
        // A missing link in the middle of a chain adds no level.
        std::vector<MessageRecord> chain{msg(1, "a"), msg(3, "c", ref("a") + ' ' + ref("b"))};
        QCOMPARE(shape(threads::arrange(chain)), QStringLiteral("1:0 3:1"));
    }

    void loopsAreBroken()
    {
        // a says it answers b, b says it answers a; c lists them both ways.
        std::vector<MessageRecord> ms{
            msg(1, "a", ref("b")),
            msg(2, "b", ref("a")),
            msg(3, "c", ref("a") + ' ' + ref("b") + ' ' + ref("a")),
            msg(4, "d", ref("d")), // its own parent
        };
        const auto p = threads::arrange(ms);
        std::multiset<int64_t> placed;
        for (const auto &x : p) placed.insert(x.id);
        QCOMPARE(placed, (std::multiset<int64_t>{1, 2, 3, 4})); // everyone once, no hang
        QCOMPARE(p.front().depth, 0);
        for (size_t i = 1; i < p.size(); ++i) QVERIFY(p[i].depth >= 1);
    }

    void duplicateMessageIdsAreBothShown()
    {
        // The same message in two folders (or a forged id): both listed once.
        std::vector<MessageRecord> ms{msg(1, "a"), msg(2, "a"), msg(3, "b", ref("a"))};
        const auto p = threads::arrange(ms);
        QCOMPARE(p.size(), size_t(3));
        QCOMPARE(shape(p), QStringLiteral("1:0 3:1 2:1"));
    }

    void noMessageIdAtAll()
    {
        std::vector<MessageRecord> ms{msg(1, QString()), msg(2, QString())};
        QCOMPARE(shape(threads::arrange(ms)), QStringLiteral("1:0 2:1"));
        QCOMPARE(shape(threads::arrange({msg(9, QString())})), QStringLiteral("9:0"));
        QVERIFY(threads::arrange({}).empty());
    }

    void thousandMessageChainAndFan()
    {
        // A chain of 1,000 (each answers the one before, References keeping
        // the last 20), given newest first; and a fan of 1,000 replies to one.
        std::vector<MessageRecord> chain;
        for (int i = 1000; i >= 1; --i) {
            QStringList refs;
            for (int j = std::max(1, i - 20); j < i; ++j) refs << ref(QStringLiteral("m%1").arg(j));
            chain.push_back(msg(i, QStringLiteral("m%1").arg(i), refs.join(QLatin1Char(' '))));
        }
        const auto p = threads::arrange(chain);
        QCOMPARE(p.size(), size_t(1000));
        for (int i = 0; i < 1000; ++i) {
            QCOMPARE(p[size_t(i)].id, int64_t(i + 1));
            QCOMPARE(p[size_t(i)].depth, i);
        }
        std::vector<MessageRecord> fan{msg(1, "root")};
        for (int i = 2; i <= 1000; ++i) fan.push_back(msg(i, QStringLiteral("r%1").arg(i), ref("root")));
        const auto f = threads::arrange(fan);
        QCOMPARE(f.size(), size_t(1000));
        QCOMPARE(f.front().id, int64_t(1));
        for (size_t i = 1; i < f.size(); ++i) {
            QCOMPARE(f[i].depth, 1);
            QCOMPARE(f[i].id, int64_t(i + 1)); // oldest reply first
        }
    }

    void hostileReferencesAreBounded()
    {
        // 100,000 ids in one References header, and 1,000 messages that each
        // carry 2,000: placed, quickly, each once.
        QStringList huge;
        for (int i = 0; i < 100000; ++i) huge << ref(QStringLiteral("h%1@x").arg(i));
        const QString refs = huge.join(QLatin1Char(' '));
        std::vector<MessageRecord> ms{msg(1, "top", refs)};
        QStringList some = huge.mid(0, 2000);
        for (int i = 2; i <= 1000; ++i) ms.push_back(msg(i, QStringLiteral("n%1").arg(i), some.join(QLatin1Char(' '))));
        QElapsedTimer t;
        t.start();
        const auto p = threads::arrange(ms);
        QCOMPARE(p.size(), size_t(1000));
        std::set<int64_t> ids;
        for (const auto &x : p) ids.insert(x.id);
        QCOMPARE(ids.size(), size_t(1000));
        qInfo("1,000 messages of 2,000 references arranged in %lld ms", qlonglong(t.elapsed()));
    }

    void storeGroupsConversationsAcrossFolders()
    {
        const int64_t acc = account("Work"), acc2 = account("Home");
        const int64_t inbox = folder(acc, "INBOX", "\\Inbox"), sent = folder(acc, "Sent", "\\Sent");
        const int64_t other = folder(acc2, "INBOX", "\\Inbox");
        // Replies arrive before what they answer; the root comes last and
        // joins the two halves into one conversation.
        const int64_t r2 = store(inbox, "r2@x", ref("root@x") + ' ' + ref("r1@x"));
        const int64_t r3 = store(inbox, "r3@x", ref("r1@x") + ' ' + ref("r2@x")); // knows r1, r2
        const int64_t lone = store(inbox, "lone@x");
        const int64_t r4 = store(inbox, "r4@x", {}, ref("mine@x")); // answers my message, not here yet
        placeAll(1);
        QCOMPARE(threadOf(r2), threadOf(r3));
        QVERIFY(threadOf(r4) != threadOf(r2)); // nothing links them yet
        const int64_t mergedAway = std::max(threadOf(r4), threadOf(r2)); // the higher one goes when they merge
        const int64_t mine = store(sent, "mine@x", ref("root@x") + ' ' + ref("r3@x")); // my reply, filed in Sent: one conversation now
        const int64_t root = store(inbox, "root@x");
        const int64_t noid = store(inbox, QString());
        const int64_t noid2 = store(inbox, QString());
        const int64_t elsewhere = store(other, "r5@x", ref("root@x")); // another account's message
        placeAll(2);
        for (int64_t id : {r2, r3, r4, mine, root}) QCOMPARE(threadOf(id), threadOf(root));
        QVERIFY(threadOf(root) > 0);
        QVERIFY(threadOf(lone) != threadOf(root));
        QVERIFY(threadOf(noid) > 0);
        QVERIFY(threadOf(noid) != threadOf(noid2)); // no ids: alone, never sharing a number
        QVERIFY(threadOf(elsewhere) != threadOf(root));
        QCOMPARE(threads::assignPending(*s, 100), 0);
        {
            // A number merged away is never handed out again (a list may
            // still hold it as an open conversation).
            Statement used = s->db().prepare("SELECT COUNT(*) FROM messages WHERE thread=?");
            used.bind(1, mergedAway);
            QVERIFY(used.step());
            QCOMPARE(used.int64(0), 0);
        }
        // The conversation as one piece: the root, and below it what answers it.
        Statement q = s->db().prepare("SELECT id FROM messages WHERE thread=? AND thread<>0");
        q.bind(1, threadOf(root));
        std::vector<int64_t> members;
        while (q.step()) members.push_back(q.int64(0));
        QCOMPARE(members.size(), size_t(5));
        std::vector<int64_t> conv = threads::conversationOf(*s, r2); // Shift+O: all folders of the account
        std::sort(conv.begin(), conv.end());
        std::sort(members.begin(), members.end());
        QCOMPARE(conv, members);
        const int64_t fresh = store(inbox, "fresh@x", ref("root@x"));
        QVERIFY(threads::conversationOf(*s, fresh).empty()); // not placed yet: the caller looks it up by Message-ID
        const auto p = threads::arrange(s->messagesByIds(members));
        QCOMPARE(p.front().id, root);
        QCOMPARE(p.size(), size_t(5));
        // Deleting the account forgets its ids.
        s->db().exec(("DELETE FROM accounts WHERE id=" + QByteArray::number(qlonglong(acc2))).constData());
        Statement left = s->db().prepare("SELECT COUNT(*) FROM thread_ids WHERE account_id=?");
        left.bind(1, acc2);
        QVERIFY(left.step());
        QCOMPARE(left.int64(0), 0);
    }

    void thousandMessagesInOneConversation()
    {
        // 1,000 messages stored newest first, each naming only its parent:
        // the conversation becomes one as the links arrive.
        const int64_t acc = account("Work");
        const int64_t inbox = folder(acc, "INBOX", "\\Inbox");
        std::vector<int64_t> ids;
        for (int i = 1000; i >= 1; --i)
            ids.push_back(store(inbox, QStringLiteral("c%1@x").arg(i), i > 1 ? ref(QStringLiteral("c%1@x").arg(i - 1)) : QString()));
        placeAll(97);
        std::set<int64_t> numbers;
        for (int64_t id : ids) numbers.insert(threadOf(id));
        QCOMPARE(numbers.size(), size_t(1));
        QVERIFY(*numbers.begin() > 0);
    }
};

QTEST_GUILESS_MAIN(TestThreads)
#include "tst_threads.moc"
