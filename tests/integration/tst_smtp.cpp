// Sending through the real Postfix (submission, STARTTLS and implicit TLS,
// SASL via Dovecot) -> LMTP -> Dovecot, checked from the recipient's IMAP side.
#include "TestServers.h"

#include "account/Profile.h"
#include "compose/MessageComposer.h"
#include "compose/Outbox.h"
#include "mime/MessageContent.h"
#include "net/ImapSession.h"
#include "store/MailStore.h"
#include "sync/AccountSync.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace heron;
using heron::test::TestServers;

class TestSmtp : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;

    struct Fixture {
        std::unique_ptr<Profile> profile;
        std::unique_ptr<store::MailStore> store;
        AccountConfig account;
    };

    Fixture makeProfile(const QString &user, Security smtpSecurity = Security::Tls, int smtpPort = 0)
    {
        Fixture f;
        f.profile = std::make_unique<Profile>(m_tmp.filePath(QStringLiteral("p%1").arg(++m_n)));
        f.profile->ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), f.profile->extraAnchorsPath());
        f.store = std::make_unique<store::MailStore>(f.profile->databasePath());
        f.account = TestServers::get().imapAccount(user);
        f.account.smtp.host = QStringLiteral("localhost");
        f.account.smtp.security = smtpSecurity;
        f.account.smtp.port = smtpPort ? smtpPort
                                       : TestServers::get().port(smtpSecurity == Security::Tls ? "HERON_TEST_SUBMISSIONS_PORT"
                                                                                               : "HERON_TEST_SUBMISSION_PORT");
        f.account.id = f.store->addAccount(f.account);
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

    // Raw messages in user's mailbox whose Subject contains the marker (waits for delivery).
    std::vector<QByteArray> find(const QString &user, const QByteArray &mailbox, const QByteArray &marker, int expect)
    {
        std::vector<QByteArray> out;
        for (int attempt = 0; attempt < 100; ++attempt) {
            out.clear();
            auto s = imap(user);
            s->select(mailbox);
            std::vector<uint32_t> uids;
            s->command("UID SEARCH SUBJECT " + net::quoteImapString(marker), [&](const net::ImapResponse &r) {
                for (size_t i = 1; i < r.items.size(); ++i) uids.push_back(uint32_t(r.items[i].number()));
            });
            for (uint32_t u : uids) out.push_back(s->fetchMessage(u, 0));
            if (int(out.size()) >= expect) break;
            QTest::qWait(100);
        }
        return out;
    }

    compose::OutboxResult send(Fixture &f, const compose::OutgoingMessage &m)
    {
        compose::Outbox outbox(*f.store);
        outbox.enqueue(f.account.id, compose::buildMessage(m, QStringLiteral("example.org")), m.subject);
        return outbox.process(f.account, TestServers::get().password(f.account.username), *f.profile);
    }

private Q_SLOTS:
    void initTestCase() { HERON_REQUIRE_SERVERS(); }

    void roundTripWithCcBccAndAttachments()
    {
        Fixture f = makeProfile(QStringLiteral("alice"));
        const QByteArray marker = "rt" + QByteArray::number(QRandomGenerator::global()->generate());
        QByteArray binary;
        for (int i = 0; i < 5000; ++i) binary += char(i * 7 % 256);
        compose::OutgoingMessage m;
        m.fromName = QStringLiteral("Alice Émile");
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("Bob Builder <bob@example.org>")};
        m.cc = {QStringLiteral("frank@example.org")};
        m.bcc = {QStringLiteral("grace@example.org")};
        m.subject = QString::fromLatin1(marker) + QStringLiteral(" Grüße, 東京");
        QString longLine;
        for (int i = 0; i < 60; ++i) longLine += QStringLiteral("word%1 ").arg(i);
        m.body = QStringLiteral("Hello Bob,\n.\n") + longLine + QStringLiteral("\n> not a quote really\nBye");
        m.attachments.push_back({QStringLiteral("data.bin"), QStringLiteral("application/octet-stream"), binary});
        m.attachments.push_back({QStringLiteral("Übersicht.txt"), QStringLiteral("text/plain"), QByteArray("Zeile 1\r\nZeile 2\r\n")});
        compose::OutboxResult r = send(f, m);
        QCOMPARE(r.sent, 1);
        QCOMPARE(r.savedToSent, 1);
        QVERIFY(compose::Outbox(*f.store).entries(f.account.id).empty());

        for (const QString &who : {QStringLiteral("bob"), QStringLiteral("frank"), QStringLiteral("grace")}) {
            auto got = find(who, "INBOX", marker, 1);
            QCOMPARE(int(got.size()), 1); // exactly one copy
            const QByteArray &raw = got.front();
            QVERIFY2(!raw.contains("\nBcc:") && !raw.contains("grace@example.org"), "Bcc leaked into the message");
            mime::MessageContent c = mime::parseMessage(raw);
            QCOMPARE(c.subject, m.subject);
            QVERIFY(c.from.contains(QStringLiteral("Alice Émile")));
            QVERIFY(c.plainText.contains(QStringLiteral("\n.\n")) || c.plainText.contains(QStringLiteral("\r\n.\r\n")));
            QVERIFY(c.plainText.contains(QStringLiteral("word59")));
            QCOMPARE(c.attachments.size(), size_t(2));
            QCOMPARE(c.attachments[0].data, binary); // byte-identical
            QCOMPARE(c.attachments[1].fileName, QStringLiteral("Übersicht.txt"));
            QVERIFY(raw.toLower().contains("\nmessage-id: <"));
            QVERIFY(raw.toLower().contains("\nmime-version: 1.0"));
            QVERIFY(raw.toLower().contains("\ndate: "));
            QVERIFY(raw.contains("format=flowed"));
        }
        auto sent = find(QStringLiteral("alice"), "Sent", marker, 1);
        QCOMPARE(int(sent.size()), 1);
    }

    // Rich text from another identity: both parts, the attachment and
    // Reply-To arrive as sent; the recipient's server says where it delivered.
    void richTextWithReplyToArrivesWhole()
    {
        Fixture f = makeProfile(QStringLiteral("alice"));
        const QByteArray marker = "rich" + QByteArray::number(QRandomGenerator::global()->generate());
        compose::OutgoingMessage m;
        m.fromName = QStringLiteral("Alice at Sales");
        m.fromAddress = QStringLiteral("alice@example.org");
        m.replyTo = QStringLiteral("Sales <sales@example.org>");
        m.to = {QStringLiteral("bob@example.org")};
        m.subject = QString::fromLatin1(marker);
        m.body = QStringLiteral("Hello team, see the docs <https://example.org/docs>\n- first\n- second");
        m.html = QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n"
                                "<div>Hello <b>team</b>, see <a href=\"https://example.org/docs\">the docs</a></div>\n"
                                "<ul>\n<li>first</li>\n<li>second \u00e9t\u00e9</li>\n</ul>\n</body>\n</html>\n");
        m.body.replace(QLatin1String("second"), QStringLiteral("second \u00e9t\u00e9"));
        const QByteArray pdf = QByteArray("%PDF-1.4\n") + QByteArray(3000, '\xff') + QByteArray("\r\n.\r\n");
        m.attachments.push_back({QStringLiteral("offer.pdf"), QStringLiteral("application/pdf"), pdf});
        QCOMPARE(send(f, m).sent, 1);

        auto got = find(QStringLiteral("bob"), "INBOX", marker, 1);
        QCOMPARE(int(got.size()), 1);
        const mime::MessageContent c = mime::parseMessage(got.front());
        QCOMPARE(mime::unflow(c.plainText).trimmed(), m.body);
        QString html = c.html;
        html.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        QCOMPARE(html, m.html);
        QCOMPARE(c.attachments.size(), size_t(1));
        QCOMPARE(c.attachments[0].data, pdf);
        QVERIFY(c.replyTo.contains(QLatin1String("<sales@example.org>")));
        QVERIFY(c.deliveredTo.contains(QStringLiteral("bob@example.org")));
    }

    void starttlsSubmissionWorks()
    {
        Fixture f = makeProfile(QStringLiteral("alice"), Security::StartTls);
        const QByteArray marker = "st" + QByteArray::number(QRandomGenerator::global()->generate());
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("bob@example.org")};
        m.subject = QString::fromLatin1(marker);
        m.body = QStringLiteral("via 587");
        QCOMPARE(send(f, m).sent, 1);
        QCOMPARE(int(find(QStringLiteral("bob"), "INBOX", marker, 1).size()), 1);
    }

    void offlineSendStaysQueuedThenDrainsOnce()
    {
        Fixture f = makeProfile(QStringLiteral("alice"), Security::Tls, 1); // nothing listens on port 1
        const QByteArray marker = "off" + QByteArray::number(QRandomGenerator::global()->generate());
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("bob@example.org")};
        m.subject = QString::fromLatin1(marker);
        m.body = QStringLiteral("written offline");
        compose::OutboxResult r = send(f, m);
        QCOMPARE(r.sent, 0);
        QCOMPARE(r.stillQueued, 1);
        auto entries = compose::Outbox(*f.store).entries(f.account.id);
        QCOMPARE(entries.size(), size_t(1));
        QCOMPARE(entries[0].state, QStringLiteral("queued"));
        // The server is back.
        f.account.smtp.port = TestServers::get().port("HERON_TEST_SUBMISSIONS_PORT");
        compose::Outbox outbox(*f.store);
        QCOMPARE(outbox.process(f.account, QStringLiteral("secret-alice"), *f.profile).sent, 1);
        QCOMPARE(outbox.process(f.account, QStringLiteral("secret-alice"), *f.profile).sent, 0);
        QTest::qWait(500);
        QCOMPARE(int(find(QStringLiteral("bob"), "INBOX", marker, 1).size()), 1);
    }

    void killDuringSendingNeverResendsByItself()
    {
        Fixture f = makeProfile(QStringLiteral("alice"));
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("bob@example.org")};
        m.subject = QStringLiteral("killed");
        m.body = QStringLiteral("x");
        compose::Outbox outbox(*f.store);
        const int64_t id = outbox.enqueue(f.account.id, compose::buildMessage(m, QString()), m.subject);
        // The process died right after committing "sending".
        store::Statement q = f.store->db().prepare("UPDATE outbox SET state='sending' WHERE id=?");
        q.bind(1, id).exec();
        QCOMPARE(outbox.recoverAfterCrash(), 1);
        QCOMPARE(outbox.process(f.account, QStringLiteral("secret-alice"), *f.profile).sent, 0);
        auto e = outbox.entries(f.account.id);
        QCOMPARE(e[0].state, QStringLiteral("unknown"));
        QVERIFY(e[0].error.contains(QLatin1String("may or may not")));
        QVERIFY(outbox.retry(id)); // the user decides
        QCOMPARE(outbox.process(f.account, QStringLiteral("secret-alice"), *f.profile).sent, 1);
    }

    void rejectedRecipientFailsVisiblyAndIsKept()
    {
        Fixture f = makeProfile(QStringLiteral("alice"));
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("nobody-here@example.org")};
        m.subject = QStringLiteral("to nobody");
        m.body = QStringLiteral("x");
        compose::OutboxResult r = send(f, m);
        QCOMPARE(r.failed, 1);
        auto e = compose::Outbox(*f.store).entries(f.account.id);
        QCOMPARE(e.size(), size_t(1));
        QCOMPARE(e[0].state, QStringLiteral("failed"));
        QVERIFY2(e[0].error.contains(QLatin1String("recipient")) && e[0].error.contains(QLatin1String("5")), qPrintable(e[0].error));
    }

    void draftsReplaceTheirServerCopyAndGoWhenDropped()
    {
        Fixture f = makeProfile(QStringLiteral("alice"));
        const QByteArray marker = "dr" + QByteArray::number(QRandomGenerator::global()->generate());
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("bob@example.org"), QStringLiteral("still typ")}; // a draft may be unfinished
        m.bcc = {QStringLiteral("grace@example.org")};
        m.subject = QString::fromLatin1(marker);
        m.body = QStringLiteral("first version");
        m.attachments.push_back({QStringLiteral("a.bin"), QString(), QByteArray("\x01\x02", 2)});
        compose::Outbox outbox(*f.store);
        const int64_t id = outbox.saveDraft(0, f.account.id, compose::buildMessage(m, QString(), true), m.subject);
        QVERIFY(outbox.entries(f.account.id).empty()); // a draft is not in the outbox list
        QCOMPARE(outbox.uploadDrafts(f.account, QStringLiteral("secret-alice"), *f.profile), 1);
        auto first = find(QStringLiteral("alice"), "Drafts", marker, 1);
        QCOMPARE(int(first.size()), 1);
        QVERIFY(first[0].contains("first version"));
        QVERIFY(first[0].contains("grace@example.org")); // the draft keeps its Bcc

        m.body = QStringLiteral("second version");
        QCOMPARE(outbox.saveDraft(id, f.account.id, compose::buildMessage(m, QString(), true), m.subject), id);
        QCOMPARE(outbox.uploadDrafts(f.account, QStringLiteral("secret-alice"), *f.profile), 1);
        auto second = find(QStringLiteral("alice"), "Drafts", marker, 1);
        QCOMPARE(int(second.size()), 1); // replaced, not added
        QVERIFY(second[0].contains("second version"));
        QCOMPARE(outbox.uploadDrafts(f.account, QStringLiteral("secret-alice"), *f.profile), 0); // nothing dirty

        // Sent or discarded: the server copy goes through the operation queue.
        sync::AccountSync s(*f.store, *f.profile, f.account, QStringLiteral("secret-alice"));
        s.run(QStringLiteral("Drafts")); // knows the Drafts folder and its UIDVALIDITY
        outbox.dropDraft(id);
        s.run(QStringLiteral("Drafts"));
        QVERIFY(f.store->pendingOps(f.account.id, true).empty());
        QCOMPARE(int(find(QStringLiteral("alice"), "Drafts", marker, 0).size()), 0);
    }

    // POP3 accounts: drafts and the Sent copy live in the local folders only;
    // a newer draft replaces the older one, sending or discarding removes it.
    void pop3DraftsAndSentCopyStayLocal()
    {
        Fixture f = makeProfile(QStringLiteral("frank"));
        // Same server, but read over POP3: a local-folders account.
        f.store->removeAccount(f.account.id);
        f.account.protocol = QStringLiteral("pop3");
        f.account.incoming.port = TestServers::get().port("HERON_TEST_POP3S_PORT");
        f.account.id = f.store->addAccount(f.account);
        const int64_t drafts = f.store->mailboxByRole(f.account.id, QStringLiteral("\\Drafts"))->id;
        const int64_t sent = f.store->mailboxByRole(f.account.id, QStringLiteral("\\Sent"))->id;
        const QByteArray marker = "pd" + QByteArray::number(QRandomGenerator::global()->generate());
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("frank@example.org");
        m.to = {QStringLiteral("frank@example.org")};
        m.subject = QString::fromLatin1(marker);
        m.body = QStringLiteral("first version");
        m.attachments.push_back({QStringLiteral("n\u00f6tes.txt"), QStringLiteral("text/plain"), QByteArray("draft attachment")});
        compose::Outbox outbox(*f.store);
        const int64_t id = outbox.saveDraft(0, f.account.id, compose::buildMessage(m, QString(), true), m.subject);
        QCOMPARE(outbox.uploadDrafts(f.account, QString(), *f.profile), 1); // no password needed: local
        QCOMPARE(int(f.store->messages(drafts, 10).size()), 1);
        m.body = QStringLiteral("second version");
        QCOMPARE(outbox.saveDraft(id, f.account.id, compose::buildMessage(m, QString(), true), m.subject), id);
        QCOMPARE(outbox.uploadDrafts(f.account, QString(), *f.profile), 1);
        auto kept = f.store->messages(drafts, 10);
        QCOMPARE(int(kept.size()), 1); // replaced, not added
        QVERIFY(kept[0].flags & Flag::Draft);
        const mime::MessageContent c = mime::parseMessage(*f.store->body(kept[0].id));
        QVERIFY(c.plainText.contains(QLatin1String("second version")));
        QCOMPARE(int(c.attachments.size()), 1);
        QCOMPARE(c.attachments[0].fileName, QStringLiteral("n\u00f6tes.txt"));
        QCOMPARE(c.attachments[0].data, QByteArray("draft attachment"));
        QCOMPARE(f.store->mailbox(drafts)->totalCount, 1);

        // Sending: the draft goes, the copy lands in the local Sent, nothing on the server's Sent.
        outbox.dropDraft(id);
        QVERIFY(f.store->messages(drafts, 10).empty());
        QVERIFY(f.store->pendingOps(f.account.id, true).empty()); // nothing for a server to do
        const compose::OutboxResult r = send(f, m);
        QVERIFY2(r.sent == 1 && r.savedToSent == 1, qPrintable(r.errors.join(QLatin1Char('\n'))));
        auto copies = f.store->messages(sent, 10);
        QCOMPARE(int(copies.size()), 1);
        QCOMPARE(copies[0].subject, QString::fromLatin1(marker));
        QVERIFY(copies[0].flags & Flag::Seen);
        QCOMPARE(int(find(QStringLiteral("frank"), "INBOX", marker, 1).size()), 1); // delivered
        QCOMPARE(int(find(QStringLiteral("frank"), "Sent", marker, 0).size()), 0);
    }

    void headerInjectionIsImpossible()
    {
        compose::OutgoingMessage m;
        m.fromAddress = QStringLiteral("alice@example.org");
        m.to = {QStringLiteral("bob@example.org")};
        m.subject = QStringLiteral("hi\r\nBcc: victim@example.org\r\nX-Evil: 1");
        m.body = QStringLiteral("x");
        compose::BuiltMessage b = compose::buildMessage(m, QString());
        QVERIFY(!b.raw.contains("\r\nBcc:"));
        QVERIFY(!b.raw.contains("\r\nX-Evil:"));
        QCOMPARE(b.recipients, QStringList{QStringLiteral("bob@example.org")});
        m.to = {QStringLiteral("bob@example.org\r\nRCPT TO:<x@evil>")};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compose::buildMessage(m, QString()));
        m.to = {QStringLiteral("not an address")};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compose::buildMessage(m, QString()));
    }
};

QTEST_GUILESS_MAIN(TestSmtp)
#include "tst_smtp.moc"
