// The cache and the durable queue.
#include "ops/LocalOps.h"
#include "store/MailStore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace heron;
using namespace heron::store;

class TestMailStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    QString freshDb() { return m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)); }

    int64_t setup(MailStore &s, int64_t *inbox, int64_t *trash)
    {
        AccountConfig a;
        a.name = QStringLiteral("work");
        a.email = QStringLiteral("me@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming = {QStringLiteral("imap.example.org"), 993, Security::Tls};
        a.username = QStringLiteral("me");
        int64_t acc = s.addAccount(a);
        FolderUpdate in;
        in.rawName = "INBOX";
        in.delimiter = QStringLiteral("/");
        in.specialUse = QStringLiteral("\\Inbox");
        FolderUpdate tr;
        tr.rawName = "Trash";
        tr.delimiter = QStringLiteral("/");
        tr.specialUse = QStringLiteral("\\Trash");
        s.updateFolders(acc, {in, tr});
        *inbox = s.mailboxByName(acc, QStringLiteral("INBOX"))->id;
        *trash = s.mailboxByName(acc, QStringLiteral("Trash"))->id;
        std::vector<MessageRecord> msgs;
        for (uint32_t uid = 1; uid <= 5; ++uid) {
            MessageRecord m;
            m.uid = uid;
            m.date = 1000 + uid;
            m.subject = QStringLiteral("message %1").arg(uid);
            m.flags = uid % 2 ? Flag::Seen : 0;
            msgs.push_back(m);
        }
        s.insertMessages(*inbox, 77, msgs);
        s.recount(*inbox);
        return acc;
    }

private Q_SLOTS:
    void migratesAndReopens()
    {
        QString path = freshDb();
        { MailStore s(path); }
        MailStore again(path);
        Statement q = again.db().prepare("PRAGMA user_version");
        QVERIFY(q.step());
        QCOMPARE(q.integer(0), Database::schemaVersion());
    }

    void identitiesPerAccountGoWithTheAccount()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        const int64_t acc = setup(s, &inbox, &trash);
        QVERIFY(s.identities(acc).empty()); // only the account's own address
        Identity sales;
        sales.accountId = acc;
        sales.name = QStringLiteral("Sales");
        sales.email = QStringLiteral("sales@example.org");
        sales.replyTo = QStringLiteral("team@example.org");
        sales.signature = QStringLiteral("The sales team\n+1 555");
        sales.id = s.addIdentity(sales);
        Identity alias;
        alias.accountId = acc;
        alias.email = QStringLiteral("me+lists@example.org");
        alias.id = s.addIdentity(alias);
        auto list = s.identities(acc);
        QCOMPARE(list.size(), size_t(2));
        QCOMPARE(list[0].email, QStringLiteral("sales@example.org"));
        QCOMPARE(list[0].replyTo, QStringLiteral("team@example.org"));
        QCOMPARE(list[0].signature, QStringLiteral("The sales team\n+1 555"));
        QCOMPARE(list[1].email, QStringLiteral("me+lists@example.org"));
        QVERIFY(!list[0].isAccountDefault());

        sales.name = QStringLiteral("Sales EU");
        sales.replyTo.clear();
        s.updateIdentity(sales);
        list = s.identities(acc);
        QCOMPARE(list[0].name, QStringLiteral("Sales EU"));
        QVERIFY(list[0].replyTo.isEmpty());
        s.removeIdentity(alias.id);
        QCOMPARE(s.identities(acc).size(), size_t(1));

        AccountConfig a = *s.account(acc);
        a.name = QStringLiteral("Alice Example (me@example.org)");
        const Identity own = defaultIdentity(a, QStringLiteral("sig"));
        QCOMPARE(own.name, QStringLiteral("Alice Example"));
        QCOMPARE(own.email, QStringLiteral("me@example.org"));
        QVERIFY(own.isAccountDefault());

        s.removeAccount(acc);
        Statement q = s.db().prepare("SELECT COUNT(*) FROM identities");
        QVERIFY(q.step());
        QCOMPARE(q.integer(0), 0);
    }

    void countsAndNewestFirst()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        setup(s, &inbox, &trash);
        auto mb = s.mailbox(inbox);
        QCOMPARE(mb->totalCount, 5);
        QCOMPARE(mb->unreadCount, 2);
        auto list = s.messages(inbox, 10);
        QCOMPARE(list.front().uid, 5u);
        QCOMPARE(list.back().uid, 1u);
    }

    void rolledBackBatchLeavesNothingHalfWritten()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        setup(s, &inbox, &trash);
        try {
            Transaction tx(s.db());
            MessageRecord m;
            m.uid = 6;
            s.insertMessages(inbox, 77, {m});
            s.setMailboxSyncState(inbox, 77, 7, 100);
            throw std::runtime_error("killed mid-batch");
        } catch (const std::runtime_error &) {
        }
        QCOMPARE(s.cachedUids(inbox).size(), size_t(5));
        QCOMPARE(s.mailbox(inbox)->uidnext, 0u);
    }

    void flagChangeIsLocalAtOnceAndQueued()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        int64_t acc = setup(s, &inbox, &trash);
        auto msgs = s.messages(inbox, 10);
        ops::setFlags(s, {msgs[0].id}, Flag::Flagged, true);
        QVERIFY(s.message(msgs[0].id)->flags & Flag::Flagged);
        auto q = s.pendingOps(acc);
        QCOMPARE(q.size(), size_t(1));
        QCOMPARE(q[0].kind, QStringLiteral("flags+"));
        QCOMPARE(q[0].uids, std::vector<uint32_t>{msgs[0].uid});
        QCOMPARE(q[0].uidvalidity, 77u);
    }

    void deleteGoesToTrashThenPermanent()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        int64_t acc = setup(s, &inbox, &trash);
        auto msgs = s.messages(inbox, 10);
        QVERIFY(!ops::deleteIsPermanent(s, {msgs[0].id}));
        QCOMPARE(ops::deleteMessages(s, {msgs[0].id}), ops::DeleteResult::MovedToTrash);
        QCOMPARE(s.cachedUids(inbox).size(), size_t(4));
        auto q = s.pendingOps(acc);
        QCOMPARE(q.back().kind, QStringLiteral("move"));
        QCOMPARE(q.back().arg, QStringLiteral("Trash"));

        MessageRecord t;
        t.uid = 1;
        s.insertMessages(trash, 5, {t});
        auto inTrash = s.messages(trash, 10);
        QVERIFY(ops::deleteIsPermanent(s, {inTrash[0].id}));
        QCOMPARE(ops::deleteMessages(s, {inTrash[0].id}), ops::DeleteResult::Expunged);
        QCOMPARE(s.pendingOps(acc).back().kind, QStringLiteral("expunge"));
    }

    void uidvalidityResetFailsOldOperations()
    {
        MailStore s(freshDb());
        int64_t inbox, trash;
        int64_t acc = setup(s, &inbox, &trash);
        s.setMailboxSyncState(inbox, 77, 6, 0);
        auto msgs = s.messages(inbox, 10);
        ops::setFlags(s, {msgs[1].id}, Flag::Seen, true);
        s.resetMailbox(inbox, 78);
        QVERIFY(s.cachedUids(inbox).empty());
        QVERIFY(s.pendingOps(acc).empty());
        auto all = s.pendingOps(acc, true);
        QCOMPARE(all.size(), size_t(1));
        QCOMPARE(all[0].state, QStringLiteral("failed"));
        QVERIFY(all[0].error.contains(QLatin1String("UIDVALIDITY")));
    }

    void pinnedCertificatesAreExact()
    {
        MailStore s(freshDb());
        s.pin(QStringLiteral("Mail.Example.org"), 993, QStringLiteral("AA:BB"));
        QVERIFY(s.isPinned(QStringLiteral("mail.example.org"), 993, QStringLiteral("AA:BB")));
        QVERIFY(!s.isPinned(QStringLiteral("mail.example.org"), 143, QStringLiteral("AA:BB")));
        QVERIFY(!s.isPinned(QStringLiteral("mail.example.org"), 993, QStringLiteral("AA:BC")));
    }
};

QTEST_GUILESS_MAIN(TestMailStore)
#include "tst_mailstore.moc"
