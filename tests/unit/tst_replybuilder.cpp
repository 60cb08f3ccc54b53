// Replies and forwards as users expect them.
#include "compose/ReplyBuilder.h"

#include <QTest>

using namespace heron;
using namespace heron::compose;

class TestReplyBuilder : public QObject {
    Q_OBJECT
    MessageRecord original()
    {
        MessageRecord m;
        m.fromName = QStringLiteral("Bob Builder");
        m.fromAddr = QStringLiteral("bob@example.org");
        m.to = QStringLiteral("Alice <alice@example.org>, carol@example.org");
        m.cc = QStringLiteral("Dave <dave@example.org>, alice@example.org");
        m.subject = QStringLiteral("RE: Re: Plans");
        m.messageId = QStringLiteral("<m2@example.org>");
        m.references = QStringLiteral("<m1@example.org>");
        m.date = 1767261600; // 2026-01-01 10:00 UTC
        return m;
    }
private Q_SLOTS:
    void subjectsDoNotStack_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("out");
        QTest::newRow("plain") << "Plans" << "Re" << "Re: Plans";
        QTest::newRow("stacked") << "Re: RE: re: Plans" << "Re" << "Re: Plans";
        QTest::newRow("numbered") << "Re[3]: Plans" << "Re" << "Re: Plans";
        QTest::newRow("german") << "AW: Plans" << "Re" << "Re: Plans";
        QTest::newRow("fwd of reply") << "Re: Plans" << "Fwd" << "Fwd: Re: Plans";
        QTest::newRow("fwd stacked") << "Fwd: FW: Plans" << "Fwd" << "Fwd: Plans";
    }
    void subjectsDoNotStack()
    {
        QFETCH(QString, in);
        QFETCH(QString, prefix);
        QFETCH(QString, out);
        QCOMPARE(prefixedSubject(in, prefix), out);
    }

    void replyQuotesAndThreads()
    {
        mime::MessageContent c;
        c.plainText = QStringLiteral("Line one\n> earlier quote\n");
        OutgoingMessage r = startReply(ReplyKind::Reply, original(), c, {QStringLiteral("alice@example.org")});
        QCOMPARE(r.subject, QStringLiteral("Re: Plans"));
        QCOMPARE(r.to, QStringList{QStringLiteral("Bob Builder <bob@example.org>")});
        QVERIFY(r.cc.isEmpty());
        QCOMPARE(r.inReplyTo, QStringLiteral("<m2@example.org>"));
        QCOMPARE(r.references, QStringLiteral("<m1@example.org> <m2@example.org>"));
        QVERIFY(r.body.contains(QStringLiteral("Bob Builder <bob@example.org> wrote:\n> Line one\n>> earlier quote")));
    }

    void replyAllLeavesMeOut()
    {
        mime::MessageContent c;
        c.plainText = QStringLiteral("x");
        OutgoingMessage r = startReply(ReplyKind::ReplyAll, original(), c, {QStringLiteral("ALICE@example.org")});
        QCOMPARE(r.to, (QStringList{QStringLiteral("Bob Builder <bob@example.org>"), QStringLiteral("carol@example.org")}));
        QCOMPARE(r.cc, QStringList{QStringLiteral("Dave <dave@example.org>")});
    }

    void forwardKeepsAttachments()
    {
        mime::MessageContent c;
        c.plainText = QStringLiteral("see attached");
        c.attachments.push_back({QStringLiteral("a.pdf"), QStringLiteral("application/pdf"), QString(), false, QByteArray("%PDF")});
        OutgoingMessage r = startReply(ReplyKind::Forward, original(), c, {});
        QCOMPARE(r.subject, QStringLiteral("Fwd: RE: Re: Plans"));
        QVERIFY(r.to.isEmpty());
        QVERIFY(r.body.contains(QLatin1String("Forwarded Message")));
        QVERIFY(r.body.contains(QLatin1String("see attached")));
        QCOMPARE(r.attachments.size(), size_t(1));
        QCOMPARE(r.attachments[0].data, QByteArray("%PDF"));
    }

    void forwardAsAttachmentKeepsTheWholeMessage()
    {
        mime::MessageContent c;
        const QByteArray raw = "From: bob@example.org\r\nSubject: RE: Re: Plans\r\n\r\nbody\r\n";
        OutgoingMessage r = startReply(ReplyKind::ForwardAsAttachment, original(), c, {}, raw);
        QCOMPARE(r.subject, QStringLiteral("Fwd: RE: Re: Plans"));
        QCOMPARE(r.attachments.size(), size_t(1));
        QCOMPARE(r.attachments[0].mimeType, QStringLiteral("message/rfc822"));
        QCOMPARE(r.attachments[0].fileName, QStringLiteral("RE_ Re_ Plans.eml"));
        QCOMPARE(r.attachments[0].data, raw);
        BuiltMessage b = buildMessage([&] { OutgoingMessage o = r; o.fromAddress = QStringLiteral("a@example.org"); o.to = {QStringLiteral("c@example.org")}; return o; }(), QString());
        QVERIFY(b.raw.contains("message/rfc822"));
        QVERIFY(b.raw.contains("\r\nSubject: RE: Re: Plans\r\n")); // attached as is, not base64
        mime::MessageContent back = mime::parseMessage(b.raw);
        QCOMPARE(back.attachments.size(), size_t(1));
    }

    void flowedEncoding()
    {
        QString longLine;
        for (int i = 0; i < 30; ++i) longLine += QStringLiteral("word ");
        QString f = encodeFlowed(longLine.trimmed() + QStringLiteral("\nFrom here\n> quoted"));
        for (const QString &l : f.split(QStringLiteral("\r\n"))) QVERIFY(l.size() <= 78);
        QVERIFY(f.split(QStringLiteral("\r\n"))[0].endsWith(QLatin1Char(' '))); // soft break
        QVERIFY(f.contains(QStringLiteral("\r\n From here"))); // space-stuffed
        QVERIFY(f.endsWith(QStringLiteral("> quoted")));
        // The signature separator keeps its space (RFC 3676 4.3): "--" alone is just text.
        QCOMPARE(encodeFlowed(QStringLiteral("Hi\n\n-- \nAlice")), QStringLiteral("Hi\r\n\r\n-- \r\nAlice"));
    }

    void replyComesFromTheAddressThatReceivedIt()
    {
        auto identity = [](int64_t id, const char *email) {
            Identity i;
            i.id = id;
            i.email = QString::fromLatin1(email);
            return i;
        };
        const std::vector<Identity> mine = {identity(0, "me@example.org"), identity(5, "sales@example.org"),
                                            identity(6, "Carol@Example.org")};
        mime::MessageContent c;
        MessageRecord m = original(); // To: alice, carol (case differs); Cc: dave, alice
        QCOMPARE(receivingIdentity(mine, m, c), 2);
        m.to = QStringLiteral("Someone <someone@example.net>");
        m.cc = QStringLiteral("\"Sales, EU\" <SALES@example.org>");
        QCOMPARE(receivingIdentity(mine, m, c), 1);
        // Bcc or a mailing list: only the server's Delivered-To names us.
        m.cc.clear();
        QCOMPARE(receivingIdentity(mine, m, c), -1);
        c.deliveredTo = {QStringLiteral("list-owner@example.net"), QStringLiteral("sales@example.org")};
        QCOMPARE(receivingIdentity(mine, m, c), 1);
        // To wins over Delivered-To (an alias delivered into the main mailbox).
        m.to = QStringLiteral("me@example.org");
        QCOMPARE(receivingIdentity(mine, m, c), 0);
        const QByteArray raw =
            "Delivered-To: sales@example.org\r\nDelivered-To: me@example.org\r\nFrom: x@example.net\r\n"
            "To: undisclosed-recipients:;\r\n\r\nhi\r\n";
        QCOMPARE(mime::parseMessage(raw).deliveredTo,
                 (QStringList{QStringLiteral("sales@example.org"), QStringLiteral("me@example.org")}));
    }

    void addressesValidated()
    {
        QVERIFY(checkAddress(QStringLiteral("a.b+c@example.org")).isEmpty());
        QVERIFY(!checkAddress(QStringLiteral("a@b@c")).isEmpty());
        QVERIFY(!checkAddress(QStringLiteral("nobody")).isEmpty());
        QCOMPARE(splitAddressField(QStringLiteral("\"Doe, John\" <j@x.org>, k@y.org; l@z.org")),
                 (QStringList{QStringLiteral("\"Doe, John\" <j@x.org>"), QStringLiteral("k@y.org"), QStringLiteral("l@z.org")}));
    }
};

QTEST_GUILESS_MAIN(TestReplyBuilder)
#include "tst_replybuilder.moc"
