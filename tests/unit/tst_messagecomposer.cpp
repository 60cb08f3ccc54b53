// Messages as they leave Heron: rich text with its plain copy, Reply-To, and
// what a receiving program reads back from them.
#include "compose/MessageComposer.h"
#include "mime/Envelope.h"
#include "mime/MessageContent.h"

#include <QTest>

#include <vmime/contentTypeField.hpp>
#include <vmime/vmime.hpp>

#include <stdexcept>

using namespace heron;
using namespace heron::compose;

namespace {
OutgoingMessage basic()
{
    OutgoingMessage m;
    m.fromName = QStringLiteral("Alice");
    m.fromAddress = QStringLiteral("alice@example.org");
    m.to = {QStringLiteral("Bob <bob@example.org>")};
    m.subject = QStringLiteral("Plans");
    return m;
}

const QString kHtml =
    QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n"
                   "<div>Gr\u00fc\u00dfe, <b>bold</b> \u65e5\u672c</div>\n<ul><li>one</li><li>two</li></ul>\n"
                   "</body>\n</html>\n");
const QString kPlain = QStringLiteral("Gr\u00fc\u00dfe, bold \u65e5\u672c\n- one\n- two");

QString typeOf(const vmime::shared_ptr<const vmime::bodyPart> &p)
{
    const vmime::mediaType t = p->getBody()->getContentType();
    return QString::fromStdString(t.getType() + "/" + t.getSubType());
}

QString parameter(const vmime::shared_ptr<const vmime::bodyPart> &p, const char *name)
{
    auto ct = p->getHeader()->findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE);
    if (!ct || !ct->hasParameter(name)) return QString();
    return QString::fromStdString(ct->getParameter(name)->getValue().getBuffer()).toLower();
}

vmime::shared_ptr<vmime::message> parsed(const QByteArray &raw)
{
    auto msg = vmime::make_shared<vmime::message>();
    msg->parse(raw.toStdString());
    return msg;
}
} // namespace

class TestMessageComposer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Bcc only (a newsletter to oneself, a discreet copy): it builds, the
    // envelope has the recipients, and no header names them.
    void bccOnlyBuildsAndHidesTheRecipients()
    {
        OutgoingMessage m = basic();
        m.to.clear();
        m.bcc = {QStringLiteral("Carol <carol@example.org>"), QStringLiteral("dave@example.org")};
        m.body = QStringLiteral("hidden");
        const BuiltMessage b = buildMessage(m, QStringLiteral("example.org"));
        QCOMPARE(b.recipients, (QStringList{QStringLiteral("carol@example.org"), QStringLiteral("dave@example.org")}));
        QVERIFY2(!b.raw.contains("carol@") && !b.raw.contains("dave@"), b.raw.constData());
        QVERIFY2(!b.raw.contains("\r\nBcc:"), b.raw.constData());
        QVERIFY2(b.raw.contains("\r\nTo: undisclosed-recipients:;"), b.raw.constData());
        // To and Bcc: the Bcc is still nobody's business.
        m.to = {QStringLiteral("bob@example.org")};
        const BuiltMessage both = buildMessage(m, QStringLiteral("example.org"));
        QCOMPARE(both.recipients.size(), 3);
        QVERIFY(!both.raw.contains("carol@") && !both.raw.contains("undisclosed"));
        // A draft keeps what the user wrote.
        const BuiltMessage draft = buildMessage(m, QStringLiteral("example.org"), true);
        QVERIFY2(draft.raw.contains("carol@example.org"), draft.raw.constData());
    }

    void plainOnlyStaysOnePart()
    {
        OutgoingMessage m = basic();
        m.body = QStringLiteral("just text");
        auto msg = parsed(buildMessage(m, QStringLiteral("example.org")).raw);
        QCOMPARE(typeOf(msg), QStringLiteral("text/plain"));
        QCOMPARE(parameter(msg, "format"), QStringLiteral("flowed"));
        QVERIFY(mime::parseMessage(buildMessage(m, QString()).raw).html.isEmpty());
    }

    void signatureSeparatorKeepsItsSpace()
    {
        // "-- " (with the space) is what mail readers recognise; "--" is just text.
        OutgoingMessage m = basic();
        m.body = QStringLiteral("Hi\n\n-- \nAlice");
        const BuiltMessage built = buildMessage(m, QString());
        QVERIFY(built.raw.contains("\r\n\r\n-- \r\nAlice\r\n"));
        QCOMPARE(mime::unflow(mime::parseMessage(built.raw).plainText).trimmed(), m.body);
    }

    void richTextIsAlternativeWithPlainFirst()
    {
        OutgoingMessage m = basic();
        m.body = kPlain;
        m.html = kHtml;
        const BuiltMessage built = buildMessage(m, QStringLiteral("example.org"));
        auto msg = parsed(built.raw);
        QCOMPARE(typeOf(msg), QStringLiteral("multipart/alternative"));
        QCOMPARE(msg->getBody()->getPartCount(), size_t(2));
        auto plain = msg->getBody()->getPartAt(0);
        auto html = msg->getBody()->getPartAt(1);
        QCOMPARE(typeOf(plain), QStringLiteral("text/plain"));
        QCOMPARE(parameter(plain, "charset"), QStringLiteral("utf-8"));
        QCOMPARE(parameter(plain, "format"), QStringLiteral("flowed"));
        QCOMPARE(typeOf(html), QStringLiteral("text/html"));
        QCOMPARE(parameter(html, "charset"), QStringLiteral("utf-8"));
        QVERIFY(parameter(html, "format").isEmpty());

        const mime::MessageContent back = mime::parseMessage(built.raw);
        QCOMPARE(mime::unflow(back.plainText).trimmed(), kPlain);
        QVERIFY(back.html.contains(QStringLiteral("<div>Gr\u00fc\u00dfe, <b>bold</b> \u65e5\u672c</div>")));
        QVERIFY(back.html.startsWith(QLatin1String("<!DOCTYPE html>")));
        QVERIFY(back.html.trimmed().endsWith(QLatin1String("</html>")));
        QVERIFY(back.attachments.empty());
        // Every line of the message is CRLF-terminated, none longer than SMTP allows.
        for (const QByteArray &line : built.raw.split('\n')) {
            QVERIFY(line.isEmpty() || line.endsWith('\r'));
            QVERIFY(line.size() <= 999);
        }
    }

    void richTextWithAttachmentsIsMixed()
    {
        OutgoingMessage m = basic();
        m.body = kPlain;
        m.html = kHtml;
        QByteArray binary;
        for (int i = 0; i < 4096; ++i)
            binary.append(char(i * 7 % 256));
        const QByteArray text = "line one\r\nline two with trailing space \r\n.\r\nFrom the start\r\n";
        m.attachments.push_back({QStringLiteral("data.bin"), QStringLiteral("application/octet-stream"), binary});
        m.attachments.push_back({QStringLiteral("notes \u00e9t\u00e9.txt"), QStringLiteral("text/plain"), text});
        const BuiltMessage built = buildMessage(m, QStringLiteral("example.org"));
        auto msg = parsed(built.raw);
        QCOMPARE(typeOf(msg), QStringLiteral("multipart/mixed"));
        QCOMPARE(msg->getBody()->getPartCount(), size_t(3));
        auto alternative = msg->getBody()->getPartAt(0);
        QCOMPARE(typeOf(alternative), QStringLiteral("multipart/alternative"));
        QCOMPARE(typeOf(alternative->getBody()->getPartAt(0)), QStringLiteral("text/plain"));
        QCOMPARE(typeOf(alternative->getBody()->getPartAt(1)), QStringLiteral("text/html"));

        const mime::MessageContent back = mime::parseMessage(built.raw);
        QCOMPARE(mime::unflow(back.plainText).trimmed(), kPlain);
        QVERIFY(back.html.contains(QLatin1String("<li>two</li>")));
        QCOMPARE(back.attachments.size(), size_t(2));
        QCOMPARE(back.attachments[0].fileName, QStringLiteral("data.bin"));
        QCOMPARE(back.attachments[0].data, binary);
        QCOMPARE(back.attachments[1].fileName, QStringLiteral("notes \u00e9t\u00e9.txt"));
        QCOMPARE(back.attachments[1].data, text);
    }

    void replyToIsOneValidatedHeader()
    {
        OutgoingMessage m = basic();
        m.body = QStringLiteral("x");
        m.replyTo = QStringLiteral("Team Heron <team@example.org>");
        const BuiltMessage built = buildMessage(m, QString());
        QVERIFY(built.raw.contains("\r\nReply-To: \"Team Heron\" <team@example.org>\r\n"));
        QString name, addr;
        mime::splitAddress(mime::parseMessage(built.raw).replyTo, &name, &addr);
        QCOMPARE(name, QStringLiteral("Team Heron"));
        QCOMPARE(addr, QStringLiteral("team@example.org"));
        QVERIFY(!built.recipients.contains(QStringLiteral("team@example.org"))); // not a recipient

        m.replyTo.clear();
        QVERIFY(!buildMessage(m, QString()).raw.contains("Reply-To"));
    }

    void replyToRefusesInjectionAndBadAddresses_data()
    {
        QTest::addColumn<QString>("replyTo");
        QTest::addColumn<QString>("why");
        QTest::newRow("LF") << QStringLiteral("team@example.org\nBcc: eve@example.net") << QStringLiteral("line break");
        QTest::newRow("CRLF") << QStringLiteral("team@example.org\r\nBcc: eve@example.net")
                              << QStringLiteral("line break");
        QTest::newRow("CR in name") << QStringLiteral("Team\r <team@example.org>") << QStringLiteral("line break");
        QTest::newRow("not an address") << QStringLiteral("team at example")
                                        << QStringLiteral("not a valid e-mail address");
        QTest::newRow("two addresses") << QStringLiteral("a@example.org, b@example.org")
                                       << QStringLiteral("single address");
    }
    void replyToRefusesInjectionAndBadAddresses()
    {
        QFETCH(QString, replyTo);
        QFETCH(QString, why);
        OutgoingMessage m = basic();
        m.body = QStringLiteral("x");
        m.replyTo = replyTo;
        try {
            buildMessage(m, QString());
            QFAIL("accepted a bad Reply-To");
        } catch (const std::invalid_argument &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(why), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestMessageComposer)
#include "tst_messagecomposer.moc"
