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

    void htmlToText()
    {
        QCOMPARE(htmlToPlainText(QStringLiteral("<style>p{}</style><p>a&amp;b</p><script>x()</script><br>c")),
                 QStringLiteral("a&b\n\nc"));
    }
};

QTEST_GUILESS_MAIN(TestMessageContent)
#include "tst_messagecontent.moc"
