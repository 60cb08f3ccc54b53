// Taking received messages apart for display (regression corpus in tests/data/messages).
#include "mime/MessageContent.h"

#include <QFile>
#include <QTest>

using namespace heron::mime;

static QByteArray crlf(const char *s)
{
    QByteArray b(s);
    b.replace("\n", "\r\n");
    return b;
}

class TestMessageContent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void multipartWithAttachmentsAndInlineImage()
    {
        QByteArray raw = crlf(
            "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\n"
            "To: a@example.org\n"
            "Subject: =?UTF-8?Q?Bericht_f=C3=BCr_Q3?=\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"outer\"\n"
            "\n"
            "--outer\n"
            "Content-Type: multipart/related; boundary=\"rel\"\n"
            "\n"
            "--rel\n"
            "Content-Type: text/html; charset=iso-8859-1\n"
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
            "<p>Gr=FC=DFe <img src=3D\"cid:logo@x\"></p>\n"
            "--rel\n"
            "Content-Type: image/png\n"
            "Content-ID: <logo@x>\n"
            "Content-Transfer-Encoding: base64\n"
            "\n"
            "iVBORw0KGgo=\n"
            "--rel--\n"
            "--outer\n"
            "Content-Type: application/octet-stream\n"
            "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\n"
            "Content-Transfer-Encoding: base64\n"
            "\n"
            "AAECAwQ=\n"
            "--outer--\n");
        MessageContent c = parseMessage(raw);
        QVERIFY(c.problem.isEmpty());
        QCOMPARE(c.subject, QStringLiteral("Bericht für Q3"));
        QVERIFY(c.html.contains(QStringLiteral("Grüße")));
        QCOMPARE(c.attachments.size(), size_t(1));
        QCOMPARE(c.attachments[0].fileName, QStringLiteral("résumé.bin"));
        QCOMPARE(c.attachments[0].data, QByteArray("\x00\x01\x02\x03\x04", 5));
        QVERIFY(c.findContentId(QStringLiteral("logo@x")));
    }

    void plainTextCharsets()
    {
        QByteArray raw = crlf("Subject: x\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n");
        raw += "Price: 5\x80\r\n";
        QCOMPARE(parseMessage(raw).plainText.trimmed(), QStringLiteral("Price: 5€"));
    }

    void attachmentNamesCannotEscapeTheFolder()
    {
        QByteArray raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\n"
                              "Content-Type: application/pdf; name=\"../../.bashrc\"\n\nx\n--b--\n");
        MessageContent c = parseMessage(raw);
        QCOMPARE(c.attachments.size(), size_t(1));
        QVERIFY(!c.attachments[0].fileName.contains(QLatin1Char('/')));
        QVERIFY(!c.attachments[0].fileName.startsWith(QLatin1Char('.')));
    }

    void nestingBombIsRefusedWithoutCrashing()
    {
        QByteArray raw = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
        for (int i = 0; i < 5000; ++i)
            raw += "--b" + QByteArray::number(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + QByteArray::number(i + 1) + "\r\n\r\n";
        MessageContent c = parseMessage(raw);
        QVERIFY(!c.problem.isEmpty());
    }

    // vmime lower-cases and trims the type: every spelling is a multipart. The
    // scanner walks them without recursion, stops at 20 levels, and still
    // shows what came before.
    void nestingBombInEverySpellingStopsAtTheLimit_data()
    {
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("lower") << QByteArray("multipart/mixed");
        QTest::newRow("upper") << QByteArray("MULTIPART/MIXED");
        QTest::newRow("mixed case") << QByteArray("MultiPart/Mixed");
        QTest::newRow("spaces") << QByteArray("  multipart /mixed");
        QTest::newRow("tab") << QByteArray("\tmUlTiPaRt\t/\tmixed");
        QTest::newRow("alternative") << QByteArray("Multipart/Alternative");
    }
    void nestingBombInEverySpellingStopsAtTheLimit()
    {
        QFETCH(QByteArray, type);
        QByteArray raw = "Subject: bomb\r\nContent-Type: " + type + "; boundary=b0\r\n\r\n--b0\r\nContent-Type: text/plain\r\n\r\nvisible text\r\n";
        for (int i = 0; i < 20000; ++i)
            raw += "--b" + QByteArray::number(i) + "\r\nContent-Type: " + type + "; boundary=\"b" + QByteArray::number(i + 1) + "\"\r\n\r\n";
        raw += "--b20000\r\nContent-Type: text/plain\r\n\r\ndeepest\r\n";
        raw += QByteArray(4 << 20, 'x'); // a payload every level would rescan
        MessageContent c = parseMessage(raw);
        QCOMPARE(c.subject, QStringLiteral("bomb"));
        QVERIFY2(c.problem.contains(QLatin1String("nested")), qPrintable(c.problem));
        QVERIFY(c.plainText.contains(QLatin1String("visible text")));
        QVERIFY(!c.plainText.contains(QLatin1String("deepest")));
    }

    void partBombStopsAtTheLimit()
    {
        QByteArray raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
        for (int i = 0; i < 200000; ++i) raw += "--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n";
        raw += "--b--\r\n";
        MessageContent c = parseMessage(raw);
        QVERIFY2(c.problem.contains(QLatin1String("parts")), qPrintable(c.problem));
        QCOMPARE(c.attachments.size(), size_t(1000));
    }

    void headerBombIsShownRaw()
    {
        QByteArray raw;
        for (int i = 0; i < 100000; ++i) raw += "X-Spam: y\r\n";
        raw += "\r\nbody\r\n";
        MessageContent c = parseMessage(raw);
        QVERIFY2(c.problem.contains(QLatin1String("malformed")), qPrintable(c.problem));
        QVERIFY(c.plainText.startsWith(QLatin1String("X-Spam")));
    }

    // A delimiter of an outer multipart ends the inner ones (RFC 2046 5.1.2),
    // and the transfer encodings are undone per part.
    void outerDelimiterEndsInnerPartsAndEncodingsAreDecoded()
    {
        QByteArray raw = crlf("Content-Type: multipart/mixed; boundary=out\n\n"
                              "--out\nContent-Type: multipart/alternative; boundary=in\n\n"
                              "--in\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                              "caf=C3=A9\n"
                              "--out\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\n"
                              "JVBERi0x\n--out--\nepilogue\n");
        MessageContent c = parseMessage(raw);
        QVERIFY2(c.problem.isEmpty(), qPrintable(c.problem));
        QCOMPARE(c.plainText, QStringLiteral("café"));
        QCOMPARE(c.attachments.size(), size_t(1));
        QCOMPARE(c.attachments[0].data, QByteArray("%PDF-1"));
        QCOMPARE(c.attachments[0].fileName, QStringLiteral("a.pdf"));
    }

    void htmlToText()
    {
        QCOMPARE(htmlToPlainText(QStringLiteral("<style>p{}</style><p>a&amp;b</p><script>x()</script><br>c")),
                 QStringLiteral("a&b\n\nc"));
    }
};

QTEST_GUILESS_MAIN(TestMessageContent)
#include "tst_messagecontent.moc"
