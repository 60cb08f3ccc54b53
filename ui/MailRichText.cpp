#include "MailRichText.h"

#include "compose/MessageComposer.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextList>
#include <QUrl>

#include <vector>

namespace heron::ui::richtext {

namespace {
constexpr int kQuoteIndent = 14;         // pixels per quote level in the editor
constexpr int kImportedQuoteIndent = 40; // what Qt's HTML importer gives each <blockquote>
const QColor kQuoteBackground[] = {QColor(0xe6, 0xee, 0xf7), QColor(0xd6, 0xe3, 0xf2)}; // alternating by depth
const QColor kLinkColor(0x2b, 0x6c, 0xb0);

bool isBulleted(const QTextList *list)
{
    const auto style = list->format().style();
    return style == QTextListFormat::ListDisc || style == QTextListFormat::ListCircle ||
           style == QTextListFormat::ListSquare;
}

// The link a fragment may carry in a sent message: web and mail only.
QString sendableHref(const QTextCharFormat &f)
{
    if (!f.isAnchor()) return QString();
    const QUrl url(f.anchorHref());
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() ||
        !(scheme == QLatin1String("http") || scheme == QLatin1String("https") || scheme == QLatin1String("mailto")))
        return QString();
    return QString::fromUtf8(url.toEncoded());
}

bool isBold(const QTextCharFormat &f)
{
    return f.fontWeight() >= QFont::DemiBold;
}

// One run of characters with the formatting a mail keeps.
struct Run {
    QString text;
    QString href;
    bool bold = false, italic = false, underline = false, strike = false;
};

std::vector<Run> runsOf(const QTextBlock &block)
{
    std::vector<Run> runs;
    for (auto it = block.begin(); !it.atEnd(); ++it) {
        const QTextFragment frag = it.fragment();
        if (!frag.isValid()) continue;
        const QTextCharFormat f = frag.charFormat();
        Run r;
        r.text = frag.text();
        r.text.remove(QChar::ObjectReplacementCharacter); // images are not offered
        if (r.text.isEmpty()) continue;
        r.href = sendableHref(f);
        r.bold = isBold(f);
        r.italic = f.fontItalic();
        r.underline = f.fontUnderline() && r.href.isEmpty(); // links show underlined anyway
        r.strike = f.fontStrikeOut();
        runs.push_back(r);
    }
    return runs;
}

// Escapes text for HTML; runs of spaces and a leading space stay visible.
QString escapeText(const QString &text, bool *lastWasSpace)
{
    QString out;
    for (QChar c : text) {
        if (c == QLatin1Char(' ') || c == QChar::Nbsp) {
            out += (*lastWasSpace || c == QChar::Nbsp) ? QStringLiteral("&nbsp;") : QStringLiteral(" ");
            *lastWasSpace = true;
            continue;
        }
        *lastWasSpace = false;
        if (c == QChar::LineSeparator) {
            out += QStringLiteral("<br>");
            *lastWasSpace = true;
        } else if (c == QLatin1Char('<'))
            out += QStringLiteral("&lt;");
        else if (c == QLatin1Char('>'))
            out += QStringLiteral("&gt;");
        else if (c == QLatin1Char('&'))
            out += QStringLiteral("&amp;");
        else if (c == QLatin1Char('"'))
            out += QStringLiteral("&quot;");
        else
            out += c;
    }
    return out;
}

QString inlineHtml(const QTextBlock &block)
{
    QString out;
    QString openHref;
    bool lastWasSpace = true; // a leading space would vanish
    for (const Run &r : runsOf(block)) {
        if (r.href != openHref) {
            if (!openHref.isEmpty()) out += QStringLiteral("</a>");
            if (!r.href.isEmpty()) out += QStringLiteral("<a href=\"%1\">").arg(r.href.toHtmlEscaped());
            openHref = r.href;
        }
        QString text = escapeText(r.text, &lastWasSpace);
        if (r.strike) text = QStringLiteral("<s>%1</s>").arg(text);
        if (r.underline) text = QStringLiteral("<u>%1</u>").arg(text);
        if (r.italic) text = QStringLiteral("<i>%1</i>").arg(text);
        if (r.bold) text = QStringLiteral("<b>%1</b>").arg(text);
        out += text;
    }
    if (!openHref.isEmpty()) out += QStringLiteral("</a>");
    if (lastWasSpace && out.endsWith(QLatin1Char(' '))) out.replace(out.size() - 1, 1, QStringLiteral("&nbsp;"));
    return out.isEmpty() ? QStringLiteral("<br>") : out; // an empty <div> would have no height
}

QString inlinePlain(const QTextBlock &block)
{
    QString out;
    QString linkText, href;
    auto closeLink = [&] {
        if (href.isEmpty()) return;
        const bool same = linkText == href || QStringLiteral("mailto:") + linkText == href ||
                          QUrl(linkText).toEncoded() == href.toUtf8();
        out += same ? linkText : QStringLiteral("%1 <%2>").arg(linkText, href);
        linkText.clear();
        href.clear();
    };
    for (const Run &r : runsOf(block)) {
        if (r.href != href) closeLink();
        if (r.href.isEmpty()) {
            out += r.text;
        } else {
            href = r.href;
            linkText += r.text;
        }
    }
    closeLink();
    out.replace(QChar::LineSeparator, QLatin1Char('\n'));
    out.replace(QChar::Nbsp, QLatin1Char(' '));
    return out;
}

QString listMarker(const QTextBlock &block)
{
    const QTextList *list = block.textList();
    if (!list) return QString();
    const QString indent(2 * std::max(0, list->format().indent() - 1), QLatin1Char(' '));
    if (isBulleted(list)) return indent + QStringLiteral("- ");
    QString item = list->itemText(block); // "1.", "b.", "iv." by the list's style
    if (item.isEmpty()) item = QStringLiteral("%1.").arg(list->itemNumber(block) + 1);
    return indent + item + QLatin1Char(' ');
}

QString listTag(const QTextList *list)
{
    if (isBulleted(list)) return QStringLiteral("ul");
    return QStringLiteral("ol");
}

QString olType(const QTextList *list)
{
    switch (list->format().style()) {
    case QTextListFormat::ListLowerAlpha:
        return QStringLiteral(" type=\"a\"");
    case QTextListFormat::ListUpperAlpha:
        return QStringLiteral(" type=\"A\"");
    case QTextListFormat::ListLowerRoman:
        return QStringLiteral(" type=\"i\"");
    case QTextListFormat::ListUpperRoman:
        return QStringLiteral(" type=\"I\"");
    default:
        return QString();
    }
}
} // namespace

QTextCharFormat linkFormat(const QString &href)
{
    QTextCharFormat f;
    f.setAnchor(true);
    f.setAnchorHref(href);
    f.setForeground(kLinkColor);
    f.setFontUnderline(true);
    return f;
}

int quoteLevel(const QTextBlock &block)
{
    return block.blockFormat().property(QTextFormat::BlockQuoteLevel).toInt();
}

void setQuoteLevel(QTextBlockFormat *format, int level)
{
    if (level <= 0) {
        format->clearProperty(QTextFormat::BlockQuoteLevel);
        format->clearBackground();
        format->setLeftMargin(0);
        return;
    }
    format->setProperty(QTextFormat::BlockQuoteLevel, level);
    format->setLeftMargin(kQuoteIndent * level);
    format->setBackground(kQuoteBackground[(level - 1) % 2]);
}

QString toMailHtml(const QTextDocument &doc)
{
    QString out = QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n");
    struct OpenList {
        const QTextList *list;
        int indent;
        bool itemOpen;
    };
    std::vector<OpenList> lists;
    int quotes = 0;
    auto closeTopList = [&] {
        if (lists.back().itemOpen) out += QStringLiteral("</li>\n");
        out += QStringLiteral("</%1>\n").arg(listTag(lists.back().list));
        lists.pop_back();
    };
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        const int level = quoteLevel(b);
        if (level != quotes) {
            while (!lists.empty())
                closeTopList();
            for (; quotes > level; --quotes)
                out += QStringLiteral("</blockquote>\n");
            for (; quotes < level; ++quotes)
                out += QStringLiteral("<blockquote type=\"cite\">\n");
        }
        const QTextList *list = b.textList();
        if (!list) {
            while (!lists.empty())
                closeTopList();
            out += QStringLiteral("<div>%1</div>\n").arg(inlineHtml(b));
            continue;
        }
        const int indent = std::max(1, list->format().indent());
        while (!lists.empty() &&
               (lists.back().indent > indent || (lists.back().indent == indent && lists.back().list != list)))
            closeTopList();
        if (lists.empty() || lists.back().indent < indent) {
            // A deeper list goes inside the open item of its parent (HTML nesting).
            out += QStringLiteral("<%1%2>\n").arg(listTag(list), olType(list));
            lists.push_back({list, indent, false});
        } else if (lists.back().itemOpen) {
            out += QStringLiteral("</li>\n");
        }
        out += QStringLiteral("<li>") + inlineHtml(b);
        lists.back().itemOpen = true;
    }
    while (!lists.empty())
        closeTopList();
    for (; quotes > 0; --quotes)
        out += QStringLiteral("</blockquote>\n");
    out += QStringLiteral("</body>\n</html>\n");
    return out;
}

QString toMailPlainText(const QTextDocument &doc)
{
    QStringList lines;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        const int level = quoteLevel(b);
        const QString quote = level > 0 ? QString(level, QLatin1Char('>')) + QLatin1Char(' ') : QString();
        const QString marker = listMarker(b);
        const QStringList parts = inlinePlain(b).split(QLatin1Char('\n'));
        for (int i = 0; i < parts.size(); ++i) {
            const QString lead = i == 0 ? marker : QString(marker.size(), QLatin1Char(' '));
            // An empty quoted line is ">" (as quote() writes it), not "> ".
            lines << (parts[i].isEmpty() && lead.isEmpty() && level > 0 ? QString(level, QLatin1Char('>'))
                                                                        : quote + lead + parts[i]);
        }
    }
    return lines.join(QLatin1Char('\n'));
}

void setFromPlainText(QTextDocument *doc, const QString &text)
{
    doc->setPlainText(text);
    QTextCursor c(doc);
    c.beginEditBlock();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        const QString t = b.text();
        if (!t.startsWith(QLatin1Char('>'))) continue;
        int i = 0, level = 0;
        while (i < t.size()) {
            if (t[i] == QLatin1Char('>')) {
                ++level;
                ++i;
            } else if (t[i] == QLatin1Char(' ') && i + 1 < t.size() && t[i + 1] == QLatin1Char('>')) {
                ++i; // "> > x"
            } else {
                break;
            }
        }
        if (i < t.size() && t[i] == QLatin1Char(' ')) ++i;
        c.setPosition(b.position());
        c.setPosition(b.position() + i, QTextCursor::KeepAnchor);
        c.removeSelectedText();
        QTextBlockFormat bf = b.blockFormat();
        setQuoteLevel(&bf, level);
        c.setBlockFormat(bf);
    }
    c.endEditBlock();
}

void setFromHtml(QTextDocument *doc, const QString &html)
{
    doc->setHtml(html);
    // Qt's importer gives each <blockquote> 40 px of margin but marks only
    // some blocks as quoted (level 1 at most, none after a nested quote
    // closed): the depth is read from the margin when the HTML has quotes.
    // "<div><br></div>" (an empty line in HTML mail) becomes a lone line separator.
    const bool hasQuotes = html.contains(QLatin1String("<blockquote"), Qt::CaseInsensitive);
    QTextCursor c(doc);
    c.beginEditBlock();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        QTextBlockFormat bf = b.blockFormat();
        const int depth = int(bf.leftMargin() / kImportedQuoteIndent + 0.5);
        const int level = bf.hasProperty(QTextFormat::BlockQuoteLevel) ? std::max(1, depth) : hasQuotes ? depth : 0;
        if (level > 0)
            bf.setProperty(QTextFormat::BlockQuoteLevel, level);
        else
            bf.clearProperty(QTextFormat::BlockQuoteLevel);
        c.setPosition(b.position());
        c.setBlockFormat(bf);
        if (b.text() == QString(QChar::LineSeparator)) {
            c.setPosition(b.position());
            c.setPosition(b.position() + 1, QTextCursor::KeepAnchor);
            c.removeSelectedText();
        }
        // The line break between two tags arrives as a trailing space (a
        // space that matters was written as &nbsp; and stays).
        const QString text = b.text();
        int keep = int(text.size());
        while (keep > 0 && text[keep - 1] == QLatin1Char(' '))
            --keep;
        if (keep < text.size()) {
            c.setPosition(b.position() + keep);
            c.setPosition(b.position() + int(text.size()), QTextCursor::KeepAnchor);
            c.removeSelectedText();
        }
    }
    c.endEditBlock();
    reduceFormatting(doc);
}

void reduceFormatting(QTextDocument *doc)
{
    struct Change {
        int position, length;
        QTextCharFormat format;
        bool remove;
    };
    std::vector<Change> changes;
    QTextCursor c(doc);
    c.beginEditBlock();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        const QTextBlockFormat old = b.blockFormat();
        QTextBlockFormat bf;
        if (b.textList()) bf.setObjectIndex(old.objectIndex()); // stays in its list
        setQuoteLevel(&bf, old.property(QTextFormat::BlockQuoteLevel).toInt());
        c.setPosition(b.position());
        c.setBlockFormat(bf);
        c.setBlockCharFormat(QTextCharFormat());
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment frag = it.fragment();
            if (!frag.isValid()) continue;
            const QTextCharFormat f = frag.charFormat();
            if (f.isImageFormat() || f.objectType() != QTextFormat::NoObject) {
                changes.push_back({frag.position(), frag.length(), {}, true});
                continue;
            }
            QTextCharFormat n;
            const QString href = sendableHref(f);
            if (!href.isEmpty())
                n = linkFormat(href);
            else if (f.fontUnderline() && !f.isAnchor()) // links come underlined
                n.setFontUnderline(true);
            if (isBold(f)) n.setFontWeight(QFont::Bold);
            if (f.fontItalic()) n.setFontItalic(true);
            if (f.fontStrikeOut()) n.setFontStrikeOut(true);
            changes.push_back({frag.position(), frag.length(), n, false});
        }
    }
    // Backwards: removing an image does not move what is still to change.
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
        c.setPosition(it->position);
        c.setPosition(it->position + it->length, QTextCursor::KeepAnchor);
        if (it->remove)
            c.removeSelectedText();
        else
            c.setCharFormat(it->format);
    }
    c.endEditBlock();
}

bool hasFormatting(const QTextDocument &doc)
{
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        if (b.textList()) return true;
        for (const Run &r : runsOf(b))
            if (r.bold || r.italic || r.underline || r.strike || !r.href.isEmpty()) return true;
    }
    return false;
}

QString linkTarget(const QString &typed, QString *why)
{
    const QString t = typed.trimmed();
    if (t.isEmpty()) {
        *why = QStringLiteral("Enter the address the link points to.");
        return QString();
    }
    static const QRegularExpression space(QStringLiteral("\\s"));
    if (t.contains(space)) {
        *why = QStringLiteral("A link address cannot contain spaces.");
        return QString();
    }
    static const QRegularExpression hasScheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:"));
    QString candidate = t;
    if (!hasScheme.match(t).hasMatch()) {
        if (t.contains(QLatin1Char('@')) && !t.contains(QLatin1Char('/'))) {
            const QString problem = compose::checkAddress(t);
            if (!problem.isEmpty()) {
                *why = problem;
                return QString();
            }
            return QStringLiteral("mailto:") + t;
        }
        candidate = QStringLiteral("https://") + t;
    }
    const QUrl url(candidate, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https") && scheme != QLatin1String("mailto")) {
        *why = QStringLiteral("Only web (http, https) and mail (mailto) links can be sent.");
        return QString();
    }
    if (!url.isValid() || (scheme != QLatin1String("mailto") && url.host().isEmpty())) {
        *why = QStringLiteral("\"%1\" is not a web address.").arg(t);
        return QString();
    }
    if (scheme == QLatin1String("mailto")) {
        const QString problem = compose::checkAddress(url.path());
        if (!problem.isEmpty()) {
            *why = problem;
            return QString();
        }
    }
    return url.toString();
}

} // namespace heron::ui::richtext
