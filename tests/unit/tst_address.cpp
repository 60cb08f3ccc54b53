// The sender shown is the sender: structure first, decoding after, and the
// real address beside any name that could pass for something else.
#include "mime/Address.h"
#include "mime/Envelope.h"
#include "mime/HeaderDecoding.h"
#include "mime/MessageContent.h"

#include <QTest>

using namespace heron::mime;

class TestAddress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plainNamesAreShownAlone()
    {
        const auto l = parseAddressList("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <j@example.org>");
        QCOMPARE(l.size(), 1);
        QCOMPARE(l[0].name, QStringLiteral("Jürgen Müller"));
        QCOMPARE(l[0].address, QStringLiteral("j@example.org"));
        QCOMPARE(senderLabel(l[0].name, l[0].address), QStringLiteral("Jürgen Müller"));
        QCOMPARE(fullLabel(l[0].name, l[0].address), QStringLiteral("Jürgen Müller <j@example.org>"));
    }

    // The four forgeries found in review, on the raw (POP3) path.
    void nameThatLooksLikeAnAddressShowsTheAddress()
    {
        const auto l = parseAddressList("\"boss@corp.example\" <evil@attacker.example>");
        QCOMPARE(senderLabel(l[0].name, l[0].address), QStringLiteral("boss@corp.example <evil@attacker.example>"));
        const auto d = parseAddressList("\"paypal.com\" <evil@attacker.example>");
        QVERIFY(senderLabel(d[0].name, d[0].address).contains(QLatin1String("evil@attacker.example")));
        const auto w = parseAddressList("=?utf-8?q?boss=EF=BC=A0corp.example?= <evil@attacker.example>"); // full-width @
        QVERIFY(senderLabel(w[0].name, w[0].address).contains(QLatin1String("evil@attacker.example")));
    }
    void refusedEncodedWordShowsTheAddress()
    {
        const auto l = parseAddressList("=?x-no-such-charset?q?Your_Bank?= <evil@attacker.example>");
        QVERIFY(l[0].name.contains(QLatin1String("=?")));
        QVERIFY(senderLabel(l[0].name, l[0].address).contains(QLatin1String("<evil@attacker.example>")));
        const auto b = parseAddressList("=?utf-8?b?!!!notbase64?= <evil@attacker.example>");
        QVERIFY(senderLabel(b[0].name, b[0].address).contains(QLatin1String("<evil@attacker.example>")));
    }
    void addressWithTwoAtsIsShownWholeAndMarked()
    {
        const auto l = parseAddressList("a@b@evil.example");
        QCOMPARE(l.size(), 1);
        QCOMPARE(l[0].address, QStringLiteral("a@b@evil.example"));
        QVERIFY(!isValidAddress(l[0].address));
        QCOMPARE(senderLabel(l[0].name, l[0].address), QStringLiteral("a@b@evil.example (invalid address)"));
    }
    void encodedAngleAddressAfterTheRealOneIsText()
    {
        const QByteArray raw = "From: Real Person <real@x.example> =?utf-8?q?=3Cboss=40corp.example=3E?=\r\n"
                               "Subject: s\r\n\r\nbody\r\n";
        const auto m = envelopeFromRaw(raw);
        QCOMPARE(m.fromAddr, QStringLiteral("real@x.example"));
        QCOMPARE(m.fromName, QStringLiteral("Real Person"));
        const auto c = parseMessage(raw);
        QCOMPARE(c.from, QStringLiteral("Real Person <real@x.example>"));
        // An encoded word inside the brackets is never decoded into an address.
        const auto e = parseAddressList("Boss <=?utf-8?q?boss=40corp.example?=>");
        QCOMPARE(e[0].address, QStringLiteral("=?utf-8?q?boss=40corp.example?="));
        QVERIFY(senderLabel(e[0].name, e[0].address).contains(QLatin1String("(invalid address)")));
    }

    void controlAndBidiCharactersStayVisibleAndShowTheAddress()
    {
        const auto l = parseAddressList("=?utf-8?q?Alice=E2=80=AEelpmaxe=2E?= <evil@attacker.example>");
        QVERIFY(l[0].name.contains(QChar(0xfffd)));
        QVERIFY(!l[0].name.contains(QChar(0x202e)));
        QVERIFY(senderLabel(l[0].name, l[0].address).contains(QLatin1String("<evil@attacker.example>")));
    }

    void envelopePartsFollowTheSameRules()
    {
        Mailbox m = mailboxFromParts("=?utf-8?q?boss=40corp.example?=", "evil", "attacker.example");
        QCOMPARE(m.name, QStringLiteral("boss@corp.example"));
        QCOMPARE(m.address, QStringLiteral("evil@attacker.example"));
        QCOMPARE(senderLabel(m.name, m.address), QStringLiteral("boss@corp.example <evil@attacker.example>"));
        QCOMPARE(senderLabel(QStringLiteral("Boss"), QStringLiteral("boss@corp.example")), QStringLiteral("Boss"));
    }

    void groupsCommentsAndQuotedCommas()
    {
        QVERIFY(parseAddressList("Undisclosed recipients:;").isEmpty());
        const auto g = parseAddressList("team: a@x.example, \"Doe, John\" <j@x.example>;, c@x.example (Carol)");
        QCOMPARE(g.size(), 3);
        QCOMPARE(g[1].name, QStringLiteral("Doe, John"));
        QCOMPARE(g[2].name, QStringLiteral("Carol"));
        QCOMPARE(g[2].address, QStringLiteral("c@x.example"));
        const QString stored = formatMailboxList(g);
        QCOMPARE(displayMailboxList(stored), QStringLiteral("a@x.example, \"Doe, John\" <j@x.example>, Carol <c@x.example>")
                                                 .replace(QLatin1String("\"Doe, John\""), QLatin1String("Doe, John")));
    }

    // Found in review: names that slipped past the "looks like an address" test.
    void disguisedDomainsInNamesShowTheAddress()
    {
        for (const QString &name : {QStringLiteral("paypal.com."), QStringLiteral("paypal.com/"), QStringLiteral("paypal.com!"),
                                    QStringLiteral("paypal.com") + QChar(0x200d), QStringLiteral("paypal") + QChar(0xff0e) + QStringLiteral("com"),
                                    QStringLiteral("paypal") + QChar(0x3002) + QStringLiteral("com"),
                                    QStringLiteral("Support") + QChar(0xa0) + QStringLiteral("paypal.com"),
                                    QStringLiteral("PayPal ") + QChar(0xff1c) + QStringLiteral("paypal.com") + QChar(0xff1e)})
            QVERIFY2(nameNeedsAddress(name, QStringLiteral("evil@attacker.example")), qPrintable(name));
        QVERIFY(!nameNeedsAddress(QStringLiteral("Dr. J. Smith"), QStringLiteral("j@x.example")));
    }

    // Found in review: a From of colons made vmime recurse once per ':'
    // (stack overflow); many "=?" without an end were rescanned each time.
    void colonsAndOpenEncodedWordsAreCheap()
    {
        const QByteArray colons = "From: " + QByteArray(200000, ':') + "\r\nSubject: s\r\n\r\nbody\r\n";
        QCOMPARE(parseMessage(colons).plainText.trimmed(), QStringLiteral("body"));
        QByteArray open = "=?a?q?x ";
        open = open.repeated(200000) + "<a@b.example>";
        QCOMPARE(parseAddressList(open).size(), 1);
        QVERIFY(!decodeHeader(open).isEmpty());
        QVERIFY(!decodeHeader(QByteArray("=?utf-8?z ").repeated(200000) + "?=").isEmpty());
    }

    void hugeListsAreBoundedAndLinear()
    {
        QByteArray many;
        for (int i = 0; i < 200000; ++i) many += "a" + QByteArray::number(i) + "@x.example, ";
        QCOMPARE(parseAddressList(many).size(), 1000);
        QVERIFY(!parseAddressList(QByteArray(1 << 20, '(')).size());
        QVERIFY(parseAddressList(QByteArray(1 << 20, '"')).size() <= 1);
    }
};

QTEST_GUILESS_MAIN(TestAddress)
#include "tst_address.moc"
