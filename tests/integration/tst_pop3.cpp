// POP3 against the real Dovecot: download, no duplicates, the server-side
// policies verified on the server, interruption, oversized messages.
// Messages are put into the mailbox over IMAP (the same Dovecot INBOX).
#include "TestServers.h"

#include "account/Profile.h"
#include "net/ImapSession.h"
#include "ops/LocalOps.h"
#include "store/MailStore.h"
#include "sync/Pop3Fetch.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace heron;
using heron::test::TestServers;

class TestPop3 : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;

    struct Fixture {
        std::unique_ptr<Profile> profile;
        std::unique_ptr<store::MailStore> store;
        AccountConfig account;
        int64_t inbox = 0;
    };

    Fixture makeProfile(const QString &user, const QString &policy, int days = 0, Security sec = Security::Tls)
    {
        Fixture f;
        f.profile = std::make_unique<Profile>(m_tmp.filePath(QStringLiteral("p%1").arg(++m_n)));
        f.profile->ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), f.profile->extraAnchorsPath());
        f.store = std::make_unique<store::MailStore>(f.profile->databasePath());
        f.account.name = user;
        f.account.email = user + QStringLiteral("@example.org");
        f.account.protocol = QStringLiteral("pop3");
        f.account.incoming.host = QStringLiteral("localhost");
        f.account.incoming.port = sec == Security::Tls ? TestServers::get().port("HERON_TEST_POP3S_PORT")
                                                       : TestServers::get().port("HERON_TEST_POP3_PORT");
        f.account.incoming.security = sec;
        f.account.username = user;
        f.account.pop3Policy = policy;
        f.account.pop3KeepDays = days;
        f.account.id = f.store->addAccount(f.account);
        f.inbox = f.store->mailboxByRole(f.account.id, QStringLiteral("\\Inbox"))->id;
        return f;
    }

    std::unique_ptr<net::ImapSession> imap(const QString &user)
    {
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        auto s = std::make_unique<net::ImapSession>(TestServers::get().imapAccount(user), TestServers::get().password(user), trust);
        s->connect();
        return s;
    }

    void put(const QString &user, int count, const QByteArray &tag, int bodyBytes = 0)
    {
        auto s = imap(user);
        for (int i = 1; i <= count; ++i)
            s->append("INBOX",
                      "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\r\nTo: " + user.toUtf8() + "@example.org\r\nSubject: " +
                          tag + " " + QByteArray::number(i) + "\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n\r\nBody " +
                          QByteArray::number(i) + "\r\n" + QByteArray(bodyBytes, 'x') + "\r\n",
                      0);
    }

    int onServer(const QString &user) { return int(imap(user)->select("INBOX").exists); }

    sync::Pop3Report fetch(Fixture &f, const QString &user, std::function<int64_t()> clock = {})
    {
        sync::Pop3Fetch p(*f.store, *f.profile, f.account, TestServers::get().password(user));
        if (clock) p.setClock(clock);
        return p.run();
    }

private Q_SLOTS:
    void initTestCase() { HERON_REQUIRE_SERVERS(); }

    void leaveOnServerDownloadsOnceAndKeepsServerCopies()
    {
        put(QStringLiteral("dave"), 5, "leave");
        const int before = onServer(QStringLiteral("dave"));
        Fixture f = makeProfile(QStringLiteral("dave"), QStringLiteral("leave"));
        sync::Pop3Report r = fetch(f, QStringLiteral("dave"));
        QCOMPARE(r.downloaded, before);
        QCOMPARE(r.deletedOnServer, 0);
        QCOMPARE(fetch(f, QStringLiteral("dave")).downloaded, 0); // nothing twice
        QCOMPARE(onServer(QStringLiteral("dave")), before);
        auto msgs = f.store->messages(f.inbox, 100);
        QCOMPARE(int(msgs.size()), before);
        QCOMPARE(msgs.front().fromName, QStringLiteral("Jürgen"));
        QVERIFY(msgs.front().subject.startsWith(QLatin1String("leave ")));
        QVERIFY(f.store->body(msgs.front().id)->contains("Body "));
        QCOMPARE(f.store->mailbox(f.inbox)->unreadCount, before);
    }

    void starttlsAndWrongPassword()
    {
        Fixture f = makeProfile(QStringLiteral("dave"), QStringLiteral("leave"), 0, Security::StartTls);
        QVERIFY(fetch(f, QStringLiteral("dave")).downloaded > 0);
        Fixture g = makeProfile(QStringLiteral("dave"), QStringLiteral("leave"));
        sync::Pop3Fetch p(*g.store, *g.profile, g.account, QStringLiteral("wrong"));
        try {
            p.run();
            QFAIL("logged in with a wrong password");
        } catch (const net::NetError &e) {
            QCOMPARE(e.kind(), net::NetError::Auth);
        }
        QCOMPARE(g.store->messages(g.inbox, 10).size(), size_t(0));
    }

    void deleteAfterNDaysUsesTheClock()
    {
        Fixture f = makeProfile(QStringLiteral("dave"), QStringLiteral("days"), 10);
        const int64_t now = QDateTime::currentSecsSinceEpoch();
        const int before = onServer(QStringLiteral("dave"));
        QCOMPARE(fetch(f, QStringLiteral("dave"), [now] { return now; }).deletedOnServer, 0);
        QCOMPARE(fetch(f, QStringLiteral("dave"), [now] { return now + 9 * 86400; }).deletedOnServer, 0);
        QCOMPARE(onServer(QStringLiteral("dave")), before);
        QCOMPARE(fetch(f, QStringLiteral("dave"), [now] { return now + 11 * 86400; }).deletedOnServer, before);
        QCOMPARE(onServer(QStringLiteral("dave")), 0);
        QCOMPARE(int(f.store->messages(f.inbox, 1000).size()), before); // still here, offline forever
    }

    void deleteAfterDownload()
    {
        put(QStringLiteral("erin"), 3, "del");
        const int before = onServer(QStringLiteral("erin"));
        QVERIFY(before >= 3);
        Fixture f = makeProfile(QStringLiteral("erin"), QStringLiteral("delete"));
        sync::Pop3Report r = fetch(f, QStringLiteral("erin"));
        QCOMPARE(r.downloaded, before);
        QCOMPARE(onServer(QStringLiteral("erin")), 0);
        QCOMPARE(int(f.store->messages(f.inbox, 1000).size()), before);
    }

    void interruptedDownloadLosesAndDoublesNothing()
    {
        put(QStringLiteral("erin"), 6, "cut");
        Fixture f = makeProfile(QStringLiteral("erin"), QStringLiteral("delete"));
        auto cancel = std::make_shared<std::atomic_bool>(false);
        {
            sync::Pop3Fetch p(*f.store, *f.profile, f.account, TestServers::get().password(QStringLiteral("erin")), cancel);
            p.setProgress([&](int64_t, int done, int) { if (done == 2) *cancel = true; });
            QVERIFY_THROWS_EXCEPTION(net::NetError, p.run());
        }
        const size_t partial = f.store->messages(f.inbox, 10).size();
        QVERIFY(partial >= 2 && partial < 6);
        QCOMPARE(onServer(QStringLiteral("erin")), 6); // no QUIT, so nothing was deleted
        sync::Pop3Report r = fetch(f, QStringLiteral("erin"));
        QCOMPARE(int(partial) + r.downloaded, 6);
        QCOMPARE(f.store->messages(f.inbox, 10).size(), size_t(6));
        QCOMPARE(onServer(QStringLiteral("erin")), 0);
        QStringList subjects;
        for (const MessageRecord &m : f.store->messages(f.inbox, 10)) subjects << m.subject;
        subjects.removeDuplicates();
        QCOMPARE(subjects.size(), 6);
    }

    void oversizedMessageFailsAloneAndStaysOnServer()
    {
        put(QStringLiteral("erin"), 1, "small");
        put(QStringLiteral("erin"), 1, "huge", 3 << 20);
        Fixture f = makeProfile(QStringLiteral("erin"), QStringLiteral("delete"));
        f.account.maxMessageMB = 1;
        f.store->updateAccount(f.account);
        sync::Pop3Fetch p(*f.store, *f.profile, f.account, TestServers::get().password(QStringLiteral("erin")));
        sync::Pop3Report r = p.run();
        QCOMPARE(r.downloaded, 1);
        QCOMPARE(r.problems.size(), 1);
        QVERIFY(r.problems.first().contains(QLatin1String("limit")));
        QCOMPARE(onServer(QStringLiteral("erin")), 1); // the big one is still there
        // Not downloaded again at this limit, and no policy deletes it ...
        sync::Pop3Report again = sync::Pop3Fetch(*f.store, *f.profile, f.account, TestServers::get().password(QStringLiteral("erin"))).run();
        QCOMPARE(again.downloaded, 0);
        QCOMPARE(onServer(QStringLiteral("erin")), 1);
        // ... until the limit is raised.
        f.account.maxMessageMB = 10;
        f.store->updateAccount(f.account);
        sync::Pop3Report raised = sync::Pop3Fetch(*f.store, *f.profile, f.account, TestServers::get().password(QStringLiteral("erin"))).run();
        QCOMPARE(raised.downloaded, 1);
        QCOMPARE(onServer(QStringLiteral("erin")), 0);
    }

    void mirrorDeletesOnServerWhatWasDeletedForGood()
    {
        put(QStringLiteral("erin"), 3, "mirror");
        const int before = onServer(QStringLiteral("erin"));
        Fixture f = makeProfile(QStringLiteral("erin"), QStringLiteral("mirror"));
        fetch(f, QStringLiteral("erin"));
        auto msgs = f.store->messages(f.inbox, 1000);
        QCOMPARE(int(msgs.size()), before);
        // To Trash first: still on the server; then deleted for good from Trash.
        ops::deleteMessages(*f.store, {msgs[0].id});
        QCOMPARE(fetch(f, QStringLiteral("erin")).deletedOnServer, 0);
        QCOMPARE(onServer(QStringLiteral("erin")), before);
        auto trash = f.store->mailboxByRole(f.account.id, QStringLiteral("\\Trash"));
        auto inTrash = f.store->messages(trash->id, 10);
        QCOMPARE(inTrash.size(), size_t(1));
        QCOMPARE(ops::deleteMessages(*f.store, {inTrash[0].id}), ops::DeleteResult::Expunged);
        QCOMPARE(fetch(f, QStringLiteral("erin")).deletedOnServer, 1);
        QCOMPARE(onServer(QStringLiteral("erin")), before - 1);
        QCOMPARE(fetch(f, QStringLiteral("erin")).downloaded, 0);
    }

    void localFoldersWorkOffline()
    {
        Fixture f = makeProfile(QStringLiteral("dave"), QStringLiteral("leave"));
        put(QStringLiteral("dave"), 2, "local");
        fetch(f, QStringLiteral("dave"));
        auto msgs = f.store->messages(f.inbox, 10);
        QCOMPARE(msgs.size(), size_t(2));
        ops::createFolder(*f.store, f.account.id, QStringLiteral("Keep"));
        auto keep = f.store->mailboxByName(f.account.id, QStringLiteral("Keep"));
        QVERIFY(keep);
        ops::setFlags(*f.store, {msgs[0].id}, Flag::Flagged, true);
        ops::moveMessages(*f.store, {msgs[0].id}, keep->id);
        QCOMPARE(f.store->messages(f.inbox, 10).size(), size_t(1));
        auto moved = f.store->messages(keep->id, 10);
        QCOMPARE(moved.size(), size_t(1));
        QVERIFY(moved[0].flags & Flag::Flagged);
        QVERIFY(f.store->body(moved[0].id)); // the body moved with it
        ops::deleteMessages(*f.store, {moved[0].id});
        auto trash = f.store->mailboxByRole(f.account.id, QStringLiteral("\\Trash"));
        QCOMPARE(f.store->messages(trash->id, 10).size(), size_t(1));
        QVERIFY(f.store->pendingOps(f.account.id, true).empty()); // nothing for a server
        QCOMPARE(fetch(f, QStringLiteral("dave")).downloaded, 0);  // moving it did not make it "new"
    }
};

QTEST_GUILESS_MAIN(TestPop3)
#include "tst_pop3.moc"
