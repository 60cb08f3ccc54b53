// What the composer's rich text becomes in a message: the HTML part and the
// plain part must say the same thing.
#include "MailRichText.h"

#include <QApplication>
#include <QTest>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextList>

using namespace heron::ui;

namespace {
// The body of the HTML document, between <body> and </body>.
QString body(const QTextDocument &doc)
{
    const QString html = richtext::toMailHtml(doc);
    const qsizetype from = html.indexOf(QLatin1String("<body>\n")) + 7;
    return html.mid(from, html.indexOf(QLatin1String("</body>")) - from);
}
} // namespace

class TestMailRichText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void documentIsSmallAndComplete()
    {
        QTextDocument doc;
        doc.setPlainText(QStringLiteral("Hi"));
        const QString html = richtext::toMailHtml(doc);
        QCOMPARE(html, QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n"
                                      "<div>Hi</div>\n</body>\n</html>\n"));
    }

    void textIsEscapedAndSpacesKept()
    {
        QTextDocument doc;
        doc.setPlainText(QStringLiteral(" a  b <c> & \"d\"\n\nend "));
        QCOMPARE(body(doc), QStringLiteral("<div>&nbsp;a &nbsp;b &lt;c&gt; &amp; &quot;d&quot;</div>\n<div><br></div>\n"
                                           "<div>end&nbsp;</div>\n"));
        QCOMPARE(richtext::toMailPlainText(doc), QStringLiteral(" a  b <c> & \"d\"\n\nend "));
    }

    void nestedListsNestInHtmlAndIndentInPlainText()
    {
        QTextDocument doc;
        QTextCursor c(&doc);
        c.insertText(QStringLiteral("Steps:"));
        c.insertBlock();
        QTextListFormat numbered;
        numbered.setStyle(QTextListFormat::ListDecimal);
        numbered.setIndent(1);
        QTextList *outer = c.createList(numbered);
        c.insertText(QStringLiteral("one"));
        c.insertBlock();
        QTextListFormat bullets;
        bullets.setStyle(QTextListFormat::ListDisc);
        bullets.setIndent(2);
        c.createList(bullets);
        c.insertText(QStringLiteral("detail"));
        c.insertBlock();
        outer->add(c.block());
        c.insertText(QStringLiteral("two"));
        c.insertBlock();
        outer->remove(c.block());
        QTextBlockFormat plain;
        c.setBlockFormat(plain);
        c.insertText(QStringLiteral("Done"));

        QCOMPARE(richtext::toMailPlainText(doc), QStringLiteral("Steps:\n1. one\n  - detail\n2. two\nDone"));
        QCOMPARE(body(doc), QStringLiteral("<div>Steps:</div>\n<ol>\n<li>one<ul>\n<li>detail</li>\n</ul>\n</li>\n"
                                           "<li>two</li>\n</ol>\n<div>Done</div>\n"));
        QVERIFY(richtext::hasFormatting(doc));
    }

    void quotesRoundTripThroughPlainText()
    {
        const QString text = QStringLiteral("Yes.\n\nOn Monday, Bob wrote:\n> a\n>> b\n>\n> c\nd");
        QTextDocument doc;
        richtext::setFromPlainText(&doc, text);
        QCOMPARE(doc.toPlainText(), QStringLiteral("Yes.\n\nOn Monday, Bob wrote:\na\nb\n\nc\nd"));
        QCOMPARE(richtext::toMailPlainText(doc), text);
        QCOMPARE(body(doc), QStringLiteral("<div>Yes.</div>\n<div><br></div>\n<div>On Monday, Bob wrote:</div>\n"
                                           "<blockquote type=\"cite\">\n<div>a</div>\n<blockquote type=\"cite\">\n"
                                           "<div>b</div>\n</blockquote>\n<div><br></div>\n<div>c</div>\n</blockquote>\n"
                                           "<div>d</div>\n"));
        QVERIFY(!richtext::hasFormatting(doc)); // nothing is lost in plain text
        // Read back from its own HTML (a reopened draft): the same text.
        QTextDocument again;
        richtext::setFromHtml(&again, richtext::toMailHtml(doc));
        QCOMPARE(richtext::toMailPlainText(again), text);
    }

    void emphasisAndLinksSurviveTheirOwnHtml()
    {
        QTextDocument doc;
        QTextCursor c(&doc);
        QTextCharFormat bold;
        bold.setFontWeight(QFont::Bold);
        QTextCharFormat italic;
        italic.setFontItalic(true);
        QTextCharFormat underline;
        underline.setFontUnderline(true);
        c.insertText(QStringLiteral("a "));
        c.insertText(QStringLiteral("b"), bold);
        c.insertText(QStringLiteral(" "), QTextCharFormat());
        c.insertText(QStringLiteral("i"), italic);
        c.insertText(QStringLiteral(" "), QTextCharFormat());
        c.insertText(QStringLiteral("u"), underline);
        c.insertText(QStringLiteral(" "), QTextCharFormat());
        QTextCharFormat link = richtext::linkFormat(QStringLiteral("https://example.org/?a=1&b=2"));
        c.insertText(QStringLiteral("the "), link);
        link.setFontWeight(QFont::Bold);
        c.insertText(QStringLiteral("site"), link); // one link, partly bold
        c.insertText(QStringLiteral(" "), QTextCharFormat());
        c.insertText(QStringLiteral("me@example.org"), richtext::linkFormat(QStringLiteral("mailto:me@example.org")));
        c.insertText(QString(QChar::LineSeparator) + QStringLiteral("next line"), QTextCharFormat());

        const QString expected = QStringLiteral(
            "<div>a <b>b</b> <i>i</i> <u>u</u> <a href=\"https://example.org/?a=1&amp;b=2\">the <b>site</b></a> "
            "<a href=\"mailto:me@example.org\">me@example.org</a><br>next line</div>\n");
        QCOMPARE(body(doc), expected);
        const QString plain =
            QStringLiteral("a b i u the site <https://example.org/?a=1&b=2> me@example.org\nnext line");
        QCOMPARE(richtext::toMailPlainText(doc), plain);

        QTextDocument again;
        richtext::setFromHtml(&again, richtext::toMailHtml(doc));
        QCOMPARE(body(again), expected);
        QCOMPARE(richtext::toMailPlainText(again), plain);
    }

    // Pasted or foreign HTML: fonts, sizes, colours and margins of someone
    // else's machine go, images and script links too; emphasis, links and
    // lists stay.
    void foreignHtmlIsReducedToWhatTheBarOffers()
    {
        QTextDocument doc;
        richtext::setFromHtml(
            &doc,
            QStringLiteral("<html><head><style>p { margin: 30px }</style></head><body>"
                           "<h1>Title</h1><p style=\"font-family:'Comic Sans MS'; color:#ff0000; font-size:30pt\">"
                           "Big <b>bold</b> <img src=\"file:///etc/hosts\"> <a href=\"javascript:alert(1)\">click</a> "
                           "<a href=\"https://example.org\">ok</a></p><ul><li>item</li></ul></body></html>"));
        const QString html = richtext::toMailHtml(doc);
        for (const char *gone : {"Comic", "ff0000", "30pt", "font", "style", "margin", "img", "javascript", "h1"})
            QVERIFY2(!html.contains(QLatin1String(gone), Qt::CaseInsensitive), gone);
        QVERIFY2(html.contains(QLatin1String("<div><b>Title</b></div>")), qPrintable(html));
        QVERIFY2(html.contains(
                     QLatin1String("<div>Big <b>bold</b> &nbsp;click <a href=\"https://example.org\">ok</a></div>")),
                 qPrintable(html));
        QVERIFY(html.contains(QLatin1String("<ul>\n<li>item</li>\n</ul>")));
        QCOMPARE(richtext::toMailPlainText(doc).split(QLatin1Char('\n')).last(), QStringLiteral("- item"));
    }

    void linkTargets_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("why");
        QTest::newRow("web") << "https://example.org/a?b=c"
                             << "https://example.org/a?b=c"
                             << "";
        QTest::newRow("bare host") << "example.org/docs"
                                   << "https://example.org/docs"
                                   << "";
        QTest::newRow("mail address") << "me@example.org"
                                      << "mailto:me@example.org"
                                      << "";
        QTest::newRow("mailto") << "mailto:me@example.org"
                                << "mailto:me@example.org"
                                << "";
        QTest::newRow("empty") << "  "
                               << ""
                               << "Enter the address the link points to.";
        QTest::newRow("spaces") << "example .org"
                                << ""
                                << "A link address cannot contain spaces.";
        QTest::newRow("script") << "javascript:alert(1)"
                                << ""
                                << "Only web (http, https) and mail (mailto) links can be sent.";
        QTest::newRow("file") << "file:///etc/passwd"
                              << ""
                              << "Only web (http, https) and mail (mailto) links can be sent.";
        QTest::newRow("no host") << "https://"
                                 << ""
                                 << "\"https://\" is not a web address.";
        QTest::newRow("bad mail") << "mailto:nobody"
                                  << ""
                                  << "\"nobody\" is not a valid e-mail address";
    }
    void linkTargets()
    {
        QFETCH(QString, typed);
        QFETCH(QString, target);
        QFETCH(QString, why);
        QString problem;
        QCOMPARE(richtext::linkTarget(typed, &problem), target);
        QCOMPARE(problem, why);
    }
};

QTEST_MAIN(TestMailRichText)
#include "tst_mailrichtext.moc"
