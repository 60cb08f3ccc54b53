// What received HTML may do in the viewer: no scripts, no silent network requests.
#include "HtmlSanitizer.h"
#include "MessageView.h"

#include <QApplication>
#include <QTest>

using namespace heron::ui;

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
