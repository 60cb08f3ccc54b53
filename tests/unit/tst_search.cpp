// The full-text index and the search language, on a real store: what a user
// types finds the messages they mean, the index follows every change to the
// cache (new, deleted, evicted, replaced bodies), and large bodies live in
// files that go when their message goes.
#include "net/ImapSession.h"
#include "search/SearchIndex.h"
#include "store/MailStore.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace heron;
using namespace heron::store;

namespace {
QByteArray plainMessage(const QByteArray &from, const QByteArray &subject, const QByteArray &text)
{
    return "From: " + from + "\r\nTo: bob@example.org\r\nSubject: " + subject +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n";
}

QByteArray base64Message(const QString &text)
{
    return "From: a@example.org\r\nSubject: encoded\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" +
           text.toUtf8().toBase64() + "\r\n";
}

QByteArray withAttachment(const QByteArray &name, int bytes)
{
    return "From: a@example.org\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
           "--XX\r\nContent-Type: text/plain\r\n\r\nsee the attached file\r\n--XX\r\nContent-Type: application/pdf; name=\"" +
           name + "\"\r\nContent-Disposition: attachment; filename=\"" + name +
           "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + QByteArray(bytes, 'x').toBase64() + "\r\n--XX--\r\n";
}
} // namespace

class TestSearch : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<MailStore> s;
    int64_t acc = 0, acc2 = 0, inbox = 0, trash = 0, other = 0;
    std::map<QString, int64_t> id; // by name in the test

    int64_t add(int64_t mailbox, const QString &key, MessageRecord m, const QByteArray &raw = {})
    {
        static uint32_t uid = 0;
        m.uid = ++uid;
        if (!m.date) m.date = QDateTime(QDate(2026, 11, 15), QTime(12, 0)).toSecsSinceEpoch();
        m.size = raw.size();
        s->insertMessages(mailbox, 1, {m});
        const int64_t i = s->idsForUids(mailbox, {m.uid}).front();
        if (!raw.isEmpty()) s->storeBody(i, raw);
        id[key] = i;
        return i;
    }

    std::set<int64_t> find(const QString &q, search::Scope scope = {})
    {
        while (search::indexPending(*s, 3) > 0) {} // small batches: the batch edges are exercised too
        const search::Result r = search::find(*s, q, scope, 1000);
        return std::set<int64_t>(r.ids.begin(), r.ids.end());
    }
    std::set<int64_t> ids(std::initializer_list<const char *> keys)
    {
        std::set<int64_t> out;
        for (const char *k : keys) out.insert(id.at(QString::fromLatin1(k)));
        return out;
    }
    void integrity()
    {
        // FTS5's own check of the index against itself.
        s->db().exec("INSERT INTO search(search) VALUES('integrity-check')");
    }
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

private Q_SLOTS:
    void init()
    {
        id.clear();
        const QString dir = m_dir.filePath(QStringLiteral("s%1").arg(++m_n));
        QDir().mkpath(dir);
        s = std::make_unique<MailStore>(dir + QStringLiteral("/heron.db"));
    }

    void setupData()
    {
        acc = account("Work");
        acc2 = account("Home");
        FolderUpdate in, tr, ot;
        in.rawName = "INBOX"; in.delimiter = "/"; in.specialUse = "\\Inbox";
        tr.rawName = "Trash"; tr.delimiter = "/"; tr.specialUse = "\\Trash";
        s->updateFolders(acc, {in, tr});
        ot = in;
        s->updateFolders(acc2, {ot});
        inbox = s->mailboxByName(acc, "INBOX")->id;
        trash = s->mailboxByName(acc, "Trash")->id;
        other = s->mailboxByName(acc2, "INBOX")->id;

        MessageRecord m;
        m.fromName = "Alice Example"; m.fromAddr = "alice@example.org"; m.to = "Bob <bob@example.org>";
        m.subject = "Quarterly report"; m.flags = Flag::Seen;
        add(inbox, "report", m, plainMessage("alice@example.org", "Quarterly report", "The meeting about the budget is on Tuesday."));
        m = {}; m.fromName = "Jürgen Müller"; m.fromAddr = "jm@example.de"; m.to = "bob@example.org"; m.cc = "Carol <carol@example.org>";
        m.subject = "Grüße aus München"; m.flags = Flag::Flagged;
        m.date = QDateTime(QDate(2026, 10, 1), QTime(9, 0)).toSecsSinceEpoch();
        add(inbox, "muller", m, plainMessage("jm@example.de", "=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Viele Grüße, bis Donnerstag"));
        m = {}; m.fromAddr = "a@example.org"; m.subject = "encoded";
        add(inbox, "base64", m, base64Message(QStringLiteral("the secret word is xylophone")));
        m = {}; m.fromAddr = "a@example.org"; m.subject = "files"; m.hasAttachment = true;
        add(trash, "files", m, withAttachment("invoice-2026.pdf", 100));
        m = {}; m.fromAddr = "dave@example.net"; m.subject = "report of the quarter"; // words reversed, body not cached
        add(other, "reversed", m);
    }

    void wordsPhrasesFields()
    {
        setupData();
        QCOMPARE(find("budget"), ids({"report"}));
        QCOMPARE(find("meet"), ids({"report"}));              // prefix of "meeting"
        QCOMPARE(find("xylophone"), ids({"base64"}));         // decoded when stored, not at query time
        QCOMPARE(find("muller"), ids({"muller"}));            // diacritics folded
        QCOMPARE(find("Müller"), ids({"muller"}));
        QCOMPARE(find("Grüße"), ids({"muller"}));
        QCOMPARE(find("report quarter"), ids({"report", "reversed"}));
        QCOMPARE(find("\"quarterly report\""), ids({"report"}));
        QCOMPARE(find("\"report quarterly\""), std::set<int64_t>{});
        QCOMPARE(find("\"the meeting about\""), ids({"report"}));
        QCOMPARE(find("\"the about meeting\""), std::set<int64_t>{}); // all words, not in this order
        QCOMPARE(find("\"quarterly\""), ids({"report"}));               // exact: no prefix
        QCOMPARE(find("\"quarter\""), ids({"reversed"}));               // the word itself only ("report of the quarter")
        QCOMPARE(find("subject:\"quarterly report\""), ids({"report"}));
        QCOMPARE(find("subject:\"report quarterly\""), std::set<int64_t>{});
        QCOMPARE(find("alice@exam"), ids({"report"}));                    // several index words, the last a prefix
        QCOMPARE(find("\"Grüße aus München\""), ids({"muller"}));
        QCOMPARE(find("\"grusse aus munchen\""), std::set<int64_t>{});   // ß is not ss: as the index sees it
        QCOMPARE(find("from:alice"), ids({"report"}));
        QCOMPARE(find("from:alice@example.org"), ids({"report"}));
        QCOMPARE(find("from:\"Alice Example\""), ids({"report"}));
        QCOMPARE(find("from:bob"), std::set<int64_t>{});
        QCOMPARE(find("to:bob"), ids({"report", "muller"}));
        QCOMPARE(find("cc:carol"), ids({"muller"}));
        QCOMPARE(find("subject:report"), ids({"report", "reversed"}));
        QCOMPARE(find("subject:budget"), std::set<int64_t>{}); // only in the body
        QCOMPARE(find("filename:invoice"), ids({"files"}));
        QCOMPARE(find("invoice"), ids({"files"}));            // names are found by plain words too
        integrity();
    }

    void operators()
    {
        setupData();
        QCOMPARE(find("has:attachment"), ids({"files"}));
        QCOMPARE(find("is:unread"), ids({"muller", "base64", "files", "reversed"}));
        QCOMPARE(find("is:read"), ids({"report"}));
        QCOMPARE(find("is:flagged"), ids({"muller"}));
        QCOMPARE(find("is:starred"), ids({"muller"}));
        QCOMPARE(find("before:2026-11-01"), ids({"muller"}));
        QCOMPARE(find("after:2026/11/15 from:alice"), ids({"report"})); // after: includes the day
        QCOMPARE(find("after:2026-11-16"), std::set<int64_t>{});
        QCOMPARE(find("in:trash"), ids({"files"}));
        QCOMPARE(find("in:Trash"), ids({"files"}));
        QCOMPARE(find("in:inbox report"), ids({"report", "reversed"})); // every account's inbox
        QCOMPARE(find("account:home"), ids({"reversed"}));
        QCOMPARE(find("account:work@example.org report"), ids({"report"}));
        QCOMPARE(find("budget OR xylophone"), ids({"report", "base64"}));
        QCOMPARE(find("budget OR is:flagged"), ids({"report", "muller"}));
        QCOMPARE(find("report -from:alice"), ids({"reversed"}));
        QCOMPARE(find("report -quarterly"), ids({"reversed"}));
        QCOMPARE(find("-is:unread"), ids({"report"}));
        QCOMPARE(find("(budget OR xylophone) -encoded"), ids({"report"}));
        QCOMPARE(find("-budget -xylophone -muller -invoice"), ids({"reversed"}));
        search::Scope inboxOnly;
        inboxOnly.mailboxIds = {inbox};
        QCOMPARE(find("report", inboxOnly), ids({"report"}));
        search::Scope home;
        home.accountId = acc2;
        QCOMPARE(find("report", home), ids({"reversed"}));
        // Newest first.
        const search::Result all = search::find(*s, QStringLiteral("example"), {}, 100);
        QVERIFY(all.ids.size() >= 3);
        QCOMPARE(all.ids.back(), id.at("muller")); // October, the oldest
    }

    void malformedNeverFails_data()
    {
        QTest::addColumn<QString>("query");
        for (const char *q : {"\"", "\"unclosed phrase", "(((", ")))", "-", "--", "OR", "a OR", "OR b", "from:", "from:\"",
                              "before:garbage", "is:nothing", "has:wings", "NEAR(a b)", "a*", "*", "^a", "col:x", "a:b:c",
                              "sender:x", "\"\"\"\"", "-(", "(a OR (b", "' OR 1=1 --", "\\", "{sender}: x", "a AND", "NOT a",
                              "in:", "account:", "after:2026-13-45", "\xe2\x80\x8b", "é", "日本語"})
            QTest::newRow(q) << QString::fromUtf8(q);
    }
    void malformedNeverFails()
    {
        QFETCH(QString, query);
        setupData();
        // Any answer is fine; an exception or an SQL (FTS5) error is not.
        while (search::indexPending(*s, 100) > 0) {}
        const search::Result r = search::find(*s, query, {}, 100);
        QVERIFY2(!r.error.startsWith(QLatin1String("the search could not be run")), qPrintable(r.error));
        integrity();
    }

    void errorsAreExplained()
    {
        setupData();
        // A term not understood is left out, the others apply.
        while (search::indexPending(*s, 100) > 0) {}
        const search::Result partial = search::find(*s, "from:alice is:purple", {}, 10);
        QVERIFY(!partial.error.isEmpty());
        QCOMPARE(std::set<int64_t>(partial.ids.begin(), partial.ids.end()), ids({"report"}));
        QCOMPARE(find("budget before:2026-1"), ids({"report"})); // half typed
        // Deep nesting and very many terms: an answer, never an SQL or FTS5 error.
        QCOMPARE(find(QString(40, QLatin1Char('(')) + "budget"), ids({"report"}));
        (void)find("-(-(-(-(-(-(-(-(-(-(-(-(budget))))))))))))");
        (void)find(QString(200000, QLatin1Char('(')) + "x" + QString(200000, QLatin1Char(')')));
        (void)find(QString(100000, QLatin1Char('-')).replace(QStringLiteral("--"), QStringLiteral("-(")) + "x");
        QString many;
        for (int i = 0; i < 300; ++i) many += QStringLiteral("is:unread OR w%1 OR ").arg(i);
        const search::Result big = search::find(*s, many + "budget", {}, 10);
        QVERIFY(big.error.contains(QLatin1String("first")));
        QVERIFY(search::find(*s, "before:soon", {}, 10).error.contains("date"));
        QVERIFY(search::find(*s, "is:purple", {}, 10).error.contains("unread"));
        QCOMPARE(find("sender:alice"), std::set<int64_t>{}); // not an operator: the words "sender alice"
        QCOMPARE(find("re:report"), std::set<int64_t>{});
    }

    void indexFollowsTheCache()
    {
        setupData();
        // Replaced body: the old words go.
        s->storeBody(id["report"], plainMessage("alice@example.org", "Quarterly report", "now about the harbour"));
        QCOMPARE(find("budget"), std::set<int64_t>{});
        QCOMPARE(find("harbour"), ids({"report"}));
        // Evicted body: the headers stay findable, the text is not.
        {
            Statement q = s->db().prepare("DELETE FROM bodies WHERE message_id=?");
            q.bind(1, id["report"]).exec();
        }
        QCOMPARE(find("harbour"), std::set<int64_t>{});
        QCOMPARE(find("quarterly"), ids({"report"}));
        // Deleted message: gone from every query.
        s->deleteMessage(id["base64"]);
        QCOMPARE(find("xylophone"), std::set<int64_t>{});
        QCOMPARE(find("encoded"), std::set<int64_t>{});
        // A whole folder reset (UIDVALIDITY) and a whole account removed.
        s->resetMailbox(trash, 999);
        QCOMPARE(find("invoice"), std::set<int64_t>{});
        s->removeAccount(acc2);
        QCOMPARE(find("dave"), std::set<int64_t>{});
        integrity();
        // Bodies cached before the index knew them (an older Heron) are caught up.
        {
            Statement q = s->db().prepare("DELETE FROM message_text WHERE message_id=?");
            q.bind(1, id["muller"]).exec();
            Statement old = s->db().prepare("INSERT INTO bodies_unindexed(message_id) VALUES(?)");
            old.bind(1, id["muller"]).exec();
        }
        QCOMPARE(search::find(*s, "donnerstag", {}, 10).ids.size(), size_t(0));
        QCOMPARE(search::indexPending(*s, 100), 1);
        QCOMPARE(find("donnerstag"), ids({"muller"}));
        QCOMPARE(search::indexPending(*s, 100), 0);
        // New messages are found once indexed (the worker does it after each
        // sync); stored bodies, deletions and evictions of indexed ones at once.
        MessageRecord late;
        late.fromAddr = "late@example.org";
        late.subject = "zeppelin";
        add(inbox, "late", late);
        QCOMPARE(search::find(*s, "zeppelin", {}, 10).ids.size(), size_t(0));
        QCOMPARE(find("zeppelin"), ids({"late"}));
        s->storeBody(id["late"], plainMessage("late@example.org", "zeppelin", "airship over the lake"));
        QCOMPARE(search::find(*s, "airship", {}, 10).ids.size(), size_t(1));
        integrity();
    }

    void bodyOfAMessageGoneMeanwhile()
    {
        setupData();
        const int64_t gone = id["base64"];
        s->deleteMessage(gone);
        QVERIFY(!s->storeBody(gone, plainMessage("x@example.org", "late", "arrived late")));
        QVERIFY(!s->hasBody(gone));
        integrity();
    }

    void vanishedRangesOverlap()
    {
        net::ImapSelectInfo info;
        info.vanished = {{50, 60}, {1, 100}, {200, 200}, {101, 150}, {4000000000u, 4294967295u}};
        info.normalizeVanished();
        QCOMPARE(info.vanished.size(), size_t(3)); // 1:150 (adjacent merged), 200, 4000000000:*
        for (uint32_t u : {1u, 55u, 70u, 100u, 101u, 150u, 200u, 4294967295u}) QVERIFY2(info.isVanished(u), qPrintable(QString::number(u)));
        for (uint32_t u : {151u, 199u, 201u, 3999999999u}) QVERIFY2(!info.isVanished(u), qPrintable(QString::number(u)));
    }

    void largeBodiesLiveInFiles()
    {
        setupData();
        const QByteArray big = withAttachment("photo.jpg", 400 * 1024);
        MessageRecord m;
        m.fromAddr = "big@example.org";
        m.subject = "holiday photos";
        const int64_t bigId = add(inbox, "big", m, big);
        QCOMPARE(s->body(bigId).value_or(QByteArray()), big);
        QStringList files;
        for (QDirIterator it(s->bodiesDir(), QDir::Files, QDirIterator::Subdirectories); it.hasNext();) files << it.next();
        QCOMPARE(files.size(), 1);
        QVERIFY(QFileInfo(files[0]).size() == big.size());
        {
            Statement q = s->db().prepare("SELECT length(raw) FROM bodies WHERE message_id=?");
            q.bind(1, bigId);
            QVERIFY(q.step());
            QCOMPARE(q.integer(0), 0); // not in the database
        }
        QCOMPARE(find("filename:photo"), ids({"big"}));
        QCOMPARE(s->offlineUsage(acc).second, int64_t(big.size()) + s->body(id["report"])->size() +
                                                   s->body(id["muller"])->size() + s->body(id["base64"])->size() +
                                                   s->body(id["files"])->size());
        // Its message deleted: the file goes once purged (after the commit).
        s->deleteMessage(bigId);
        QVERIFY(QFile::exists(files[0]));
        QCOMPARE(s->purgeBodyFiles(), 1);
        QVERIFY(!QFile::exists(files[0]));

        // A file lost or cut short: the body counts as not cached (downloaded again), never as garbage.
        const int64_t again = add(inbox, "big2", m, big);
        QStringList now;
        for (QDirIterator it(s->bodiesDir(), QDir::Files, QDirIterator::Subdirectories); it.hasNext();) now << it.next();
        QCOMPARE(now.size(), 1);
        QFile f(now[0]);
        QVERIFY(f.resize(1000));
        QVERIFY(!s->body(again));
        QVERIFY(!s->hasBody(again));

        // An orphan (written, then the transaction never committed) is swept once old.
        QDir().mkpath(s->bodiesDir() + "/e7");
        QFile orphan(s->bodiesDir() + "/e7/999-dead.eml");
        QVERIFY(orphan.open(QIODevice::WriteOnly));
        orphan.write("x");
        orphan.flush();
        QVERIFY(orphan.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600), QFileDevice::FileModificationTime));
        orphan.close();
        s->purgeBodyFiles(true);
        QVERIFY(!QFile::exists(orphan.fileName()));
    }

    void offlinePolicy()
    {
        acc = account("Work");
        FolderUpdate in, ar;
        in.rawName = "INBOX"; in.delimiter = "/"; in.specialUse = "\\Inbox";
        ar.rawName = "Archive"; ar.delimiter = "/";
        s->updateFolders(acc, {in, ar});
        inbox = s->mailboxByName(acc, "INBOX")->id;
        const int64_t archive = s->mailboxByName(acc, "Archive")->id;
        const int64_t now = QDateTime::currentSecsSinceEpoch();
        auto msg = [&](int64_t mb, const char *key, int daysAgo, int64_t size = 1000) {
            MessageRecord m;
            m.subject = QString::fromLatin1(key);
            m.date = now - int64_t(daysAgo) * 86400;
            add(mb, key, m);
            Statement q = s->db().prepare("UPDATE messages SET size=? WHERE id=?");
            q.bind(1, size).bind(2, id[key]).exec();
        };
        msg(inbox, "new", 1);
        msg(inbox, "month", 30);
        msg(inbox, "old", 200);
        msg(inbox, "huge", 2, 200 << 20);
        msg(archive, "anew", 3);
        auto wanted = [&] {
            std::vector<int64_t> out;
            for (const auto &w : s->bodiesWanted(acc, 100 << 20, 100, now)) out.push_back(w.id);
            return out;
        };
        // The default: 90 days, newest first across folders, nothing over the size limit.
        QCOMPARE(s->account(acc)->offlineDays, 90);
        QCOMPARE(wanted(), (std::vector<int64_t>{id["new"], id["anew"], id["month"]}));
        QCOMPARE(s->bodiesWantedCount(acc, 100 << 20, now), 3);
        s->setAccountOfflineDays(acc, -1);
        QCOMPARE(wanted(), (std::vector<int64_t>{id["new"], id["anew"], id["month"], id["old"]}));
        s->setMailboxOfflineDays(archive, 0); // this folder: headers only
        QCOMPARE(wanted(), (std::vector<int64_t>{id["new"], id["month"], id["old"]}));
        s->setAccountOfflineDays(acc, 7);
        s->setMailboxOfflineDays(archive, MailStore::kInheritOffline);
        QCOMPARE(wanted(), (std::vector<int64_t>{id["new"], id["anew"]}));
        // Stored bodies outside the window are evicted once a day old.
        for (const char *k : {"new", "month", "old"}) s->storeBody(id[k], plainMessage("x@example.org", k, "text"));
        QCOMPARE(s->evictBodies(acc, now), 0);               // stored today: kept for now
        QCOMPARE(s->evictBodies(acc, now + 2 * 86400), 2);   // month and old
        QVERIFY(s->hasBody(id["new"]));
        QVERIFY(!s->hasBody(id["old"]));
        QCOMPARE(wanted(), (std::vector<int64_t>{id["anew"]}));
        s->setAccountOfflineDays(acc, 0);
        QCOMPARE(s->evictBodies(acc, now + 2 * 86400), 1);
        QVERIFY(wanted().empty());
        integrity();
    }
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
