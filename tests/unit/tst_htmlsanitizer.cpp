// What received HTML may do in the viewer: no scripts, no silent network requests.
#include "mime/HtmlSanitizer.h"
#include "MessageView.h"

#include <QApplication>
#include <QImage>
#include <QTextDocument>
#include <QTest>

using namespace heron::ui;
using namespace heron::mime;

class TestHtmlSanitizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scriptsAndHandlersRemoved()
    {
        SanitizedHtml s = sanitizeHtml(QStringLiteral(
            "<p onclick=\"steal()\">Hi</p><script>alert(1)</script><iframe src=\"http://x\"></iframe>"
            "<a href=\"javascript:evil()\">x</a><form action=\"http://x\"><input></form>"));
        QVERIFY(!s.html.contains(QLatin1String("script"), Qt::CaseInsensitive));
        QVERIFY(!s.html.contains(QLatin1String("onclick"), Qt::CaseInsensitive));
        QVERIFY(!s.html.contains(QLatin1String("iframe"), Qt::CaseInsensitive));
        QVERIFY(!s.html.contains(QLatin1String("javascript"), Qt::CaseInsensitive));
        QVERIFY(!s.html.contains(QLatin1String("<form"), Qt::CaseInsensitive));
        QVERIFY(s.html.contains(QLatin1String("Hi")));
    }

    void remoteReferencesFound()
    {
        SanitizedHtml s = sanitizeHtml(QStringLiteral(
            "<img src=\"http://tracker.example/p.gif\"><div style=\"background:url('https://cdn.example/bg.png')\">"
            "<img src=//proto.example/x.png><img src=\"cid:inline@x\">"));
        QCOMPARE(s.remoteUrls.size(), 3);
        QVERIFY(s.remoteUrls.contains(QStringLiteral("http://tracker.example/p.gif")));
        QVERIFY(s.remoteUrls.contains(QStringLiteral("https://proto.example/x.png")));
    }

    void hiddenSchemesAndUnquotedValues()
    {
        SanitizedHtml s = sanitizeHtml(QStringLiteral(
            "<a href=\"jav&#x61;script:x()\">1</a><a href=' java\tscript:y()'>2</a><a href=smb://host/share>3</a>"
            "<a href=\"file:///etc/passwd\">4</a><a href=\"https://ok.example/\">5</a><a href=\"mailto:a@b.example\">6</a>"
            "<img src=http://unquoted.example/t.gif><img src=\"data:image/png;base64,AAAA\"><img src=\"file:///x.png\">"
            "<style>@import 'http://css.example/a.css'; p { background: url(\"http://css.example/b.png\") }</style>"
            "<img srcset=\"http://x.example/1x.png 1x\"><body background=\"//bg.example/a.png\">"));
        QVERIFY(!s.html.contains(QLatin1String("script"), Qt::CaseInsensitive));
        QVERIFY(!s.html.contains(QLatin1String("smb:")));
        QVERIFY(!s.html.contains(QLatin1String("file:")));
        QVERIFY(!s.html.contains(QLatin1String("srcset")));
        QVERIFY(s.html.contains(QLatin1String("href=\"https://ok.example/\"")));
        QVERIFY(s.html.contains(QLatin1String("data:image/png")));
        QCOMPARE(s.links.size(), 2);
        QCOMPARE(s.links[0].text, QStringLiteral("5"));
        for (const char *u : {"http://unquoted.example/t.gif", "http://css.example/a.css", "http://css.example/b.png",
                              "https://bg.example/a.png"})
            QVERIFY2(s.remoteUrls.contains(QLatin1String(u)), u);
    }

    // Inputs that cost quadratic time with the old regular expressions (an
    // unclosed element, a long run of spaces before a would-be handler, a long
    // word in plain text): each finishes within the test's timeout now.
    void hostileInputsTakeLinearTime()
    {
        const QString unclosed = QStringLiteral("<script>").repeated(200000) + QStringLiteral("tail");
        QVERIFY(!sanitizeHtml(unclosed).html.contains(QLatin1String("script")));
        const QString spaces = QStringLiteral("<p") + QString(2000000, QLatin1Char(' ')) + QStringLiteral("x>text</p>");
        QVERIFY(sanitizeHtml(spaces).html.contains(QLatin1String("text")));
        const QString comments = QStringLiteral("<!--").repeated(300000);
        QVERIFY(sanitizeHtml(comments).html.isEmpty());
        const QString word = QString(2000000, QLatin1Char('a')) + QStringLiteral("@") + QString(2000000, QLatin1Char('b'));
        QVERIFY(plainTextToHtml(word).size() > 4000000);
        const QString ats = QStringLiteral("a@a.").repeated(500000);
        QVERIFY(!plainTextToHtml(ats).isEmpty());
        QVERIFY(htmlToPlainText(QStringLiteral("<style>").repeated(200000)).isEmpty());
        // Found in review: '@' with a dot-less domain scanned back to the line start.
        QVERIFY(!plainTextToHtml(QStringLiteral("a@b ").repeated(300000)).isEmpty());
    }

    void misleadingLinkText()
    {
        QVERIFY(linkTextMisleads(QStringLiteral("https://bank.example/login"), QUrl(QStringLiteral("https://evil.example/"))));
        QVERIFY(linkTextMisleads(QStringLiteral("www.bank.example"), QUrl(QStringLiteral("https://bank.example.evil.example/"))));
        QVERIFY(!linkTextMisleads(QStringLiteral("https://bank.example"), QUrl(QStringLiteral("https://www.bank.example/a"))));
        QVERIFY(!linkTextMisleads(QStringLiteral("bank.example"), QUrl(QStringLiteral("https://login.bank.example/"))));
        QVERIFY(!linkTextMisleads(QStringLiteral("Click here"), QUrl(QStringLiteral("https://evil.example/"))));
        QVERIFY(linkTextMisleads(QStringLiteral("Log in at www.bank.example"), QUrl(QStringLiteral("https://evil.example/"))));
        QVERIFY(linkTextMisleads(QStringLiteral("https://www.bank.example/ \u203a"), QUrl(QStringLiteral("https://evil.example/"))));
        QVERIFY(linkTextMisleads(QStringLiteral("boss@corp.example"), QUrl(QStringLiteral("mailto:boss@evil.example"))));
        QVERIFY(isOpenableLink(QUrl(QStringLiteral("https://a.example"))));
        QVERIFY(!isOpenableLink(QUrl(QStringLiteral("smb://a.example/x"))));
        QVERIFY(!isOpenableLink(QUrl(QStringLiteral("file:///etc/passwd"))));
    }

    void viewerMakesNoRemoteRequest()
    {
        MessageBrowser b;
        heron::mime::MessageContent c;
        b.setContent(&c, false);
        b.setHtml(QStringLiteral("<img src=\"http://tracker.example/p.gif\"><p>text</p>"));
        b.resize(400, 300);
        b.show();
        QVERIFY(QTest::qWaitForWindowExposed(&b));
        QVERIFY(b.blockedRequests() >= 1);
        // Found in review: a refused resource must not make Qt open a local
        // file instead (url(/dev/zero) would read forever on the GUI thread).
        QCOMPARE(b.loadResource(QTextDocument::StyleSheetResource, QUrl(QStringLiteral("/dev/zero"))), QVariant(QByteArray()));
        QVERIFY(b.loadResource(QTextDocument::ImageResource, QUrl(QStringLiteral("file:///dev/zero"))).isValid());
        QVERIFY(b.loadResource(QTextDocument::ImageResource, QUrl(QStringLiteral("data:image/svg+xml;base64,PHN2Zy8+"))).value<QImage>().isNull());
    }

    void plainTextLinksAndQuotes()
    {
        QString h = plainTextToHtml(QStringLiteral("see https://example.org/a?b=1&c=2.\n> quoted <b>\nmail me@example.org"));
        QVERIFY(h.contains(QLatin1String("<a href=\"https://example.org/a?b=1&amp;c=2\">")));
        QVERIFY(h.contains(QLatin1String("&lt;b&gt;")));
        QVERIFY(h.contains(QLatin1String("mailto:me@example.org")));
    }
};

QTEST_MAIN(TestHtmlSanitizer)
#include "tst_htmlsanitizer.moc"
