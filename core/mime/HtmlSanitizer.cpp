#include "mime/HtmlSanitizer.h"

#include <QSet>

namespace heron::mime {

namespace {

constexpr int kMaxAttributes = 100;  // per tag; the rest are dropped
constexpr int kMaxLinkText = 300;
// Qt's text layout takes time quadratic in the length of a run without a
// break opportunity (a 400 000-character word: 15 s): runs are given an
// invisible break (U+200B) every kMaxRun characters.
constexpr int kMaxRun = 1000;

// Appends text, inserting U+200B into runs of more than kMaxRun characters
// without whitespace; *run carries the current run's length across calls
// (markup between two pieces of text does not end a run).
void appendBreakingRuns(QString &out, QStringView text, int *run)
{
    qsizetype from = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c.isSpace() || c == QChar(0x200b)) {
            *run = 0;
            continue;
        }
        if (++*run >= kMaxRun && c != QLatin1Char('&')) {
            out += text.mid(from, i + 1 - from);
            out += QChar(0x200b);
            from = i + 1;
            *run = 0;
        }
    }
    out += text.mid(from);
}

bool isAsciiLetter(QChar c) { return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')); }
bool isAsciiDigit(QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); }
bool isSpace(QChar c) { return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\f'); }
bool isNameChar(QChar c) { return isAsciiLetter(c) || isAsciiDigit(c) || c == QLatin1Char('-') || c == QLatin1Char('_') || c == QLatin1Char(':'); }

struct Attribute {
    QString name;  // lower case
    QString value; // raw (entities not decoded)
    bool hasValue = false;
};

struct Tag {
    QString name; // lower case, empty for comments and declarations
    bool closing = false;
    bool selfClosing = false;
    QList<Attribute> attributes;
};

// Reads the tag starting at s[i] == '<'. Returns the index after its '>',
// or -1 when the input ends first (the rest is then dropped). Every step
// moves forward: linear in the tag's length.
qsizetype readTag(const QString &s, qsizetype i, Tag *tag)
{
    const qsizetype n = s.size();
    qsizetype p = i + 1;
    if (p < n && s[p] == QLatin1Char('!')) {
        if (s.mid(p, 3) == QLatin1String("!--")) {
            const qsizetype end = s.indexOf(QLatin1String("-->"), p + 3);
            return end < 0 ? -1 : end + 3;
        }
        const qsizetype end = s.indexOf(QLatin1Char('>'), p);
        return end < 0 ? -1 : end + 1;
    }
    if (p < n && s[p] == QLatin1Char('?')) {
        const qsizetype end = s.indexOf(QLatin1Char('>'), p);
        return end < 0 ? -1 : end + 1;
    }
    if (p < n && s[p] == QLatin1Char('/')) {
        tag->closing = true;
        ++p;
    }
    const qsizetype nameStart = p;
    while (p < n && isNameChar(s[p])) ++p;
    tag->name = s.mid(nameStart, p - nameStart).toLower();
    while (p < n) {
        while (p < n && (isSpace(s[p]) || s[p] == QLatin1Char('/'))) {
            if (s[p] == QLatin1Char('/')) tag->selfClosing = true;
            ++p;
        }
        if (p >= n) return -1;
        if (s[p] == QLatin1Char('>')) return p + 1;
        tag->selfClosing = false;
        const qsizetype an = p;
        while (p < n && !isSpace(s[p]) && s[p] != QLatin1Char('=') && s[p] != QLatin1Char('>') && s[p] != QLatin1Char('/')) ++p;
        Attribute a;
        a.name = s.mid(an, p - an).toLower();
        while (p < n && isSpace(s[p])) ++p;
        if (p < n && s[p] == QLatin1Char('=')) {
            ++p;
            while (p < n && isSpace(s[p])) ++p;
            if (p >= n) return -1;
            a.hasValue = true;
            if (s[p] == QLatin1Char('"') || s[p] == QLatin1Char('\'')) {
                const qsizetype close = s.indexOf(s[p], p + 1);
                if (close < 0) return -1;
                a.value = s.mid(p + 1, close - p - 1);
                p = close + 1;
            } else {
                const qsizetype vs = p;
                while (p < n && !isSpace(s[p]) && s[p] != QLatin1Char('>')) ++p;
                a.value = s.mid(vs, p - vs);
            }
        }
        if (!a.name.isEmpty() && tag->attributes.size() < kMaxAttributes) tag->attributes << a;
    }
    return -1;
}

// Decodes the character references that can hide a scheme or a quote:
// numeric ones and the common named ones. Linear.
QString decodeEntities(const QString &v)
{
    if (!v.contains(QLatin1Char('&'))) return v;
    static const QList<QPair<QLatin1String, QChar>> named = {
        {QLatin1String("amp"), QLatin1Char('&')},     {QLatin1String("lt"), QLatin1Char('<')},
        {QLatin1String("gt"), QLatin1Char('>')},      {QLatin1String("quot"), QLatin1Char('"')},
        {QLatin1String("apos"), QLatin1Char('\'')},   {QLatin1String("colon"), QLatin1Char(':')},
        {QLatin1String("tab"), QLatin1Char('\t')},    {QLatin1String("newline"), QLatin1Char('\n')},
        {QLatin1String("nbsp"), QChar(0xa0)},         {QLatin1String("sol"), QLatin1Char('/')},
        {QLatin1String("period"), QLatin1Char('.')},  {QLatin1String("commat"), QLatin1Char('@')},
    };
    QString out;
    out.reserve(v.size());
    const qsizetype n = v.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (v[i] != QLatin1Char('&')) {
            out += v[i];
            continue;
        }
        qsizetype p = i + 1;
        if (p < n && v[p] == QLatin1Char('#')) {
            ++p;
            const bool hex = p < n && (v[p] == QLatin1Char('x') || v[p] == QLatin1Char('X'));
            if (hex) ++p;
            uint code = 0;
            int digits = 0;
            while (p < n && digits < 8) {
                const QChar c = v[p];
                int d = -1;
                if (isAsciiDigit(c)) d = c.unicode() - '0';
                else if (hex && c.toLower() >= QLatin1Char('a') && c.toLower() <= QLatin1Char('f')) d = c.toLower().unicode() - 'a' + 10;
                if (d < 0) break;
                code = code * (hex ? 16 : 10) + uint(d);
                ++digits;
                ++p;
            }
            while (p < n && isAsciiDigit(v[p])) ++p; // absurdly long numbers: skipped
            if (digits == 0) {
                out += v[i];
                continue;
            }
            if (p < n && v[p] == QLatin1Char(';')) ++p;
            if (code == 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) code = 0xfffd;
            out += QString::fromUcs4(reinterpret_cast<const char32_t *>(&code), 1);
            i = p - 1;
            continue;
        }
        bool matched = false;
        for (const auto &[name, ch] : named) {
            if (QStringView(v).mid(p, name.size()).compare(name, Qt::CaseInsensitive) == 0) {
                p += name.size();
                if (p < n && v[p] == QLatin1Char(';')) ++p;
                out += ch;
                i = p - 1;
                matched = true;
                break;
            }
        }
        if (!matched) out += v[i];
    }
    return out;
}

QString escapeAttribute(const QString &v)
{
    QString out;
    out.reserve(v.size() + 8);
    for (QChar c : v) {
        if (c == QLatin1Char('&')) out += QLatin1String("&amp;");
        else if (c == QLatin1Char('"')) out += QLatin1String("&quot;");
        else if (c == QLatin1Char('<')) out += QLatin1String("&lt;");
        else if (c == QLatin1Char('>')) out += QLatin1String("&gt;");
        else out += c;
    }
    return out;
}

// A URL as a browser reads it: entities decoded, surrounding space and any
// tab or line break inside removed (they do not stop "java\tscript:").
QString normalizedUrl(const QString &raw)
{
    const QString d = decodeEntities(raw);
    QString out;
    out.reserve(d.size());
    for (QChar c : d)
        if (c.unicode() > 0x20 && c.unicode() != 0x7f && !(c.unicode() >= 0x80 && c.unicode() < 0xa0)) out += c;
    return out;
}

// The scheme of a URL in lower case, empty when it has none (relative).
QString schemeOf(const QString &url)
{
    qsizetype i = 0;
    if (url.isEmpty() || !isAsciiLetter(url[0])) return QString();
    while (i < url.size() && (isAsciiLetter(url[i]) || isAsciiDigit(url[i]) || url[i] == QLatin1Char('+') ||
                              url[i] == QLatin1Char('.') || url[i] == QLatin1Char('-')))
        ++i;
    if (i < url.size() && url[i] == QLatin1Char(':')) return url.left(i).toLower();
    return QString();
}

bool isRemote(const QString &url)
{
    const QString scheme = schemeOf(url);
    return scheme == QLatin1String("http") || scheme == QLatin1String("https") || scheme == QLatin1String("ftp") ||
           url.startsWith(QLatin1String("//"));
}

QString remoteForm(const QString &url) { return url.startsWith(QLatin1String("//")) ? QStringLiteral("https:") + url : url; }

void addRemote(SanitizedHtml &out, const QString &url)
{
    if (!isRemote(url)) return;
    const QString u = remoteForm(url);
    if (out.remoteUrls.size() < 1000 && !out.remoteUrls.contains(u)) out.remoteUrls << u;
}

// CSS: every url(...) and @import "..." target. Linear.
void collectCssUrls(SanitizedHtml &out, const QString &css)
{
    const QString d = decodeEntities(css);
    qsizetype i = 0;
    while ((i = d.indexOf(QLatin1String("url("), i, Qt::CaseInsensitive)) >= 0) {
        qsizetype p = i + 4;
        const qsizetype close = d.indexOf(QLatin1Char(')'), p);
        const QString inner = d.mid(p, close < 0 ? -1 : close - p).trimmed();
        QString u = inner;
        if (u.size() >= 2 && (u[0] == QLatin1Char('"') || u[0] == QLatin1Char('\''))) u = u.mid(1, u.size() - 2);
        addRemote(out, normalizedUrl(u));
        if (close < 0) break;
        i = close + 1;
    }
    i = 0;
    while ((i = d.indexOf(QLatin1String("@import"), i, Qt::CaseInsensitive)) >= 0) {
        qsizetype p = i + 7;
        while (p < d.size() && isSpace(d[p])) ++p;
        if (p < d.size() && (d[p] == QLatin1Char('"') || d[p] == QLatin1Char('\''))) {
            const qsizetype close = d.indexOf(d[p], p + 1);
            if (close < 0) break;
            addRemote(out, normalizedUrl(d.mid(p + 1, close - p - 1)));
            p = close + 1;
        }
        i = p;
    }
}

const QSet<QString> &droppedWithContent()
{
    static const QSet<QString> s = {QStringLiteral("script"),  QStringLiteral("iframe"),   QStringLiteral("frame"),
                                    QStringLiteral("frameset"), QStringLiteral("object"),  QStringLiteral("embed"),
                                    QStringLiteral("applet"),  QStringLiteral("form"),     QStringLiteral("noscript"),
                                    QStringLiteral("template"), QStringLiteral("title"),   QStringLiteral("svg"),
                                    QStringLiteral("math"),    QStringLiteral("noembed"),  QStringLiteral("noframes"),
                                    QStringLiteral("xmp"),     QStringLiteral("plaintext")};
    return s;
}

const QSet<QString> &droppedTag()
{
    static const QSet<QString> s = {QStringLiteral("meta"),   QStringLiteral("link"),   QStringLiteral("base"),
                                    QStringLiteral("input"),  QStringLiteral("button"), QStringLiteral("textarea"),
                                    QStringLiteral("select"), QStringLiteral("option"), QStringLiteral("keygen"),
                                    QStringLiteral("param"),  QStringLiteral("source"), QStringLiteral("track"),
                                    QStringLiteral("audio"),  QStringLiteral("video"),  QStringLiteral("portal")};
    return s;
}

// The elements that reach the viewer (what QTextBrowser renders, and the
// structural ones mail uses); any other tag is dropped, its text kept.
const QSet<QString> &allowedElement()
{
    static const QSet<QString> s = [] {
        QSet<QString> e;
        for (const char *n : {"a", "abbr", "address", "article", "aside", "b", "big", "blockquote", "body", "br",
                              "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl",
                              "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
                              "head", "header", "hr", "html", "i", "img", "ins", "kbd", "label", "li", "main", "mark",
                              "nav", "nobr", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strike",
                              "strong", "style", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
                              "tt", "u", "ul", "var", "wbr"})
            e.insert(QString::fromLatin1(n));
        return e;
    }();
    return s;
}

// Attributes that make a request or act on the page, beyond on*.
bool droppedAttribute(const QString &name)
{
    static const QSet<QString> s = {QStringLiteral("srcset"),     QStringLiteral("poster"),   QStringLiteral("action"),
                                    QStringLiteral("formaction"), QStringLiteral("ping"),     QStringLiteral("dynsrc"),
                                    QStringLiteral("lowsrc"),     QStringLiteral("longdesc"), QStringLiteral("cite"),
                                    QStringLiteral("http-equiv"), QStringLiteral("xmlns"),    QStringLiteral("xlink:href"),
                                    QStringLiteral("data"),       QStringLiteral("codebase"), QStringLiteral("manifest")};
    return name.startsWith(QLatin1String("on")) || s.contains(name);
}

// Finds the end of an element whose content is dropped: after "</name ...>",
// or -1 when it is never closed.
qsizetype endOfElement(const QString &s, qsizetype from, const QString &name)
{
    const QString closer = QStringLiteral("</") + name;
    qsizetype i = from;
    while ((i = s.indexOf(closer, i, Qt::CaseInsensitive)) >= 0) {
        const qsizetype after = i + closer.size();
        if (after >= s.size() || !isNameChar(s[after])) {
            const qsizetype gt = s.indexOf(QLatin1Char('>'), after);
            return gt < 0 ? -1 : gt + 1;
        }
        i = after;
    }
    return -1;
}

QString hostOf(const QString &text)
{
    QString t = text.trimmed().toLower();
    for (const char *prefix : {"http://", "https://", "ftp://", "mailto:"})
        if (t.startsWith(QLatin1String(prefix))) {
            t = t.mid(int(strlen(prefix)));
            break;
        }
    const qsizetype at = t.lastIndexOf(QLatin1Char('@'), t.indexOf(QLatin1Char('/')) < 0 ? -1 : t.indexOf(QLatin1Char('/')));
    if (at >= 0) t = t.mid(at + 1);
    qsizetype end = 0;
    while (end < t.size() && (t[end].isLetterOrNumber() || t[end] == QLatin1Char('.') || t[end] == QLatin1Char('-'))) ++end;
    t = t.left(end);
    while (t.endsWith(QLatin1Char('.'))) t.chop(1);
    if (t.startsWith(QLatin1String("www."))) t = t.mid(4);
    return t;
}

} // namespace

SanitizedHtml sanitizeHtml(const QString &s)
{
    SanitizedHtml out;
    out.html.reserve(s.size());
    const qsizetype n = s.size();
    qsizetype i = 0;
    int openLink = -1; // index into out.links while inside <a href>
    int run = 0;
    auto appendText = [&](qsizetype from, qsizetype to) {
        if (to <= from) return;
        appendBreakingRuns(out.html, QStringView(s).mid(from, to - from), &run);
        if (openLink >= 0) {
            HtmlLink &l = out.links[openLink];
            if (l.text.size() < kMaxLinkText) l.text += decodeEntities(s.mid(from, std::min<qsizetype>(to - from, kMaxLinkText)));
        }
    };
    while (i < n) {
        const qsizetype lt = s.indexOf(QLatin1Char('<'), i);
        if (lt < 0) {
            appendText(i, n);
            break;
        }
        appendText(i, lt);
        const QChar next = lt + 1 < n ? s[lt + 1] : QChar();
        if (!(isAsciiLetter(next) || next == QLatin1Char('/') || next == QLatin1Char('!') || next == QLatin1Char('?'))) {
            out.html += QLatin1String("&lt;");
            i = lt + 1;
            continue;
        }
        Tag tag;
        const qsizetype end = readTag(s, lt, &tag);
        if (end < 0) break; // unterminated markup: the rest is dropped
        i = end;
        if (tag.name.isEmpty()) continue; // comment, declaration, "</>"
        if (tag.closing) {
            if (!allowedElement().contains(tag.name)) continue;
            if (tag.name == QLatin1String("a")) openLink = -1;
            out.html += QStringLiteral("</") + tag.name + QLatin1Char('>');
            continue;
        }
        if (droppedWithContent().contains(tag.name)) {
            if (tag.selfClosing) continue;
            const qsizetype after = endOfElement(s, i, tag.name);
            if (after < 0) break;
            i = after;
            continue;
        }
        if (droppedTag().contains(tag.name) || !allowedElement().contains(tag.name)) continue;
        QString emitted = QLatin1Char('<') + tag.name;
        QString href;
        for (const Attribute &a : std::as_const(tag.attributes)) {
            if (droppedAttribute(a.name) || !isNameChar(a.name[0])) continue;
            bool ok = true;
            for (QChar c : a.name) ok = ok && isNameChar(c);
            if (!ok) continue;
            QString value = a.value;
            if (a.name == QLatin1String("href")) {
                value = normalizedUrl(a.value);
                const QString scheme = schemeOf(value);
                if (!(scheme == QLatin1String("http") || scheme == QLatin1String("https") ||
                      scheme == QLatin1String("mailto") || (scheme.isEmpty() && value.startsWith(QLatin1Char('#')))))
                    continue;
                href = value;
            } else if (a.name == QLatin1String("src") || a.name == QLatin1String("background")) {
                value = normalizedUrl(a.value);
                const QString scheme = schemeOf(value);
                if (isRemote(value)) {
                    addRemote(out, value);
                    value = remoteForm(value);
                } else if (!(scheme == QLatin1String("cid") ||
                             (scheme == QLatin1String("data") &&
                              (value.mid(5, 10).startsWith(QLatin1String("image/png"), Qt::CaseInsensitive) ||
                               value.mid(5, 11).startsWith(QLatin1String("image/jpeg"), Qt::CaseInsensitive) ||
                               value.mid(5, 10).startsWith(QLatin1String("image/gif"), Qt::CaseInsensitive) ||
                               value.mid(5, 11).startsWith(QLatin1String("image/webp"), Qt::CaseInsensitive))))) {
                    continue;
                }
            } else if (a.name == QLatin1String("style")) {
                collectCssUrls(out, a.value);
            }
            emitted += QLatin1Char(' ') + a.name;
            if (a.hasValue) emitted += QStringLiteral("=\"") + escapeAttribute(a.name == QLatin1String("href") || a.name == QLatin1String("src") ||
                                                                                        a.name == QLatin1String("background")
                                                                                    ? value
                                                                                    : decodeEntities(value)) +
                                      QLatin1Char('"');
        }
        emitted += tag.selfClosing ? QStringLiteral("/>") : QStringLiteral(">");
        out.html += emitted;
        if (tag.name == QLatin1String("a")) {
            openLink = -1;
            if (!href.isEmpty() && !tag.selfClosing) {
                out.links.append({href, QString()});
                openLink = int(out.links.size() - 1);
            }
        }
        if (tag.name == QLatin1String("style") && !tag.selfClosing) {
            // Style sheet text is copied up to its end tag (which it cannot
            // contain), so nothing in it is read as markup.
            const qsizetype close = s.indexOf(QLatin1String("</style"), i, Qt::CaseInsensitive);
            QString css = s.mid(i, close < 0 ? -1 : close - i);
            collectCssUrls(out, css);
            // CSS needs no '<': none reaches the viewer, so nothing in a style
            // sheet can look like markup to anything reading the result.
            css.remove(QLatin1Char('<'));
            out.html += css;
            if (close < 0) break;
            i = close;
        }
    }
    return out;
}

QString htmlToPlainText(const QString &s)
{
    static const QSet<QString> dropped = {QStringLiteral("script"), QStringLiteral("style"), QStringLiteral("head"),
                                          QStringLiteral("title")};
    static const QSet<QString> breaks = {QStringLiteral("br"), QStringLiteral("p"),  QStringLiteral("div"),
                                         QStringLiteral("tr"), QStringLiteral("h1"), QStringLiteral("h2"),
                                         QStringLiteral("h3"), QStringLiteral("h4"), QStringLiteral("h5"),
                                         QStringLiteral("h6"), QStringLiteral("li"), QStringLiteral("blockquote")};
    QString text;
    text.reserve(s.size());
    const qsizetype n = s.size();
    qsizetype i = 0;
    while (i < n) {
        const qsizetype lt = s.indexOf(QLatin1Char('<'), i);
        text += decodeEntities(s.mid(i, lt < 0 ? -1 : lt - i));
        if (lt < 0) break;
        const QChar next = lt + 1 < n ? s[lt + 1] : QChar();
        if (!(isAsciiLetter(next) || next == QLatin1Char('/') || next == QLatin1Char('!') || next == QLatin1Char('?'))) {
            text += QLatin1Char('<');
            i = lt + 1;
            continue;
        }
        Tag tag;
        const qsizetype end = readTag(s, lt, &tag);
        if (end < 0) break;
        i = end;
        if (tag.name.isEmpty()) continue;
        if (!tag.closing && !tag.selfClosing && dropped.contains(tag.name)) {
            const qsizetype after = endOfElement(s, i, tag.name);
            if (after < 0) break;
            i = after;
            continue;
        }
        if (breaks.contains(tag.name) && (tag.closing || tag.name == QLatin1String("br"))) text += QLatin1Char('\n');
    }
    // At most one empty line in a row; no space at either end.
    QString outText;
    outText.reserve(text.size());
    int newlines = 0;
    qsizetype lineStart = 0;
    for (QChar c : std::as_const(text)) {
        if (c == QChar(0xa0)) c = QLatin1Char(' ');
        if (c == QLatin1Char('\n')) {
            // a line holding only spaces counts as empty
            if (outText.size() > lineStart && QStringView(outText).mid(lineStart).trimmed().isEmpty()) outText.truncate(lineStart);
            if (++newlines > 2) continue;
            outText += c;
            lineStart = outText.size();
            continue;
        }
        if (c != QLatin1Char(' ') && c != QLatin1Char('\t') && c != QLatin1Char('\r')) newlines = 0;
        outText += c;
    }
    return outText.trimmed();
}

QString plainTextToHtml(const QString &text)
{
    auto isLocal = [](QChar c) {
        return isAsciiLetter(c) || isAsciiDigit(c) || c == QLatin1Char('.') || c == QLatin1Char('_') ||
               c == QLatin1Char('%') || c == QLatin1Char('+') || c == QLatin1Char('-');
    };
    auto isDomain = [](QChar c) { return isAsciiLetter(c) || isAsciiDigit(c) || c == QLatin1Char('.') || c == QLatin1Char('-'); };
    auto stopsUrl = [](QChar c) { return isSpace(c) || c == QLatin1Char('<') || c == QLatin1Char('>') || c == QLatin1Char('"'); };
    QString html = QStringLiteral("<div style=\"white-space: pre-wrap;\">");
    html.reserve(text.size() + text.size() / 8 + 64);
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (QString line : lines) {
        if (line.endsWith(QLatin1Char('\r'))) line.chop(1);
        int depth = 0;
        for (QChar c : std::as_const(line)) {
            if (c == QLatin1Char('>')) ++depth;
            else if (c != QLatin1Char(' ')) break;
        }
        QString escaped;
        qsizetype last = 0;
        int run = 0;
        const qsizetype n = line.size();
        auto link = [&](qsizetype start, qsizetype end, const QString &href) {
            appendBreakingRuns(escaped, line.mid(last, start - last).toHtmlEscaped(), &run);
            escaped += QStringLiteral("<a href=\"%1\">").arg(href.toHtmlEscaped());
            appendBreakingRuns(escaped, line.mid(start, end - start).toHtmlEscaped(), &run);
            escaped += QLatin1String("</a>");
            last = end;
        };
        for (qsizetype j = 0; j < n;) {
            const QStringView rest = QStringView(line).mid(j);
            const bool http = rest.startsWith(QLatin1String("http://")) || rest.startsWith(QLatin1String("https://"));
            const bool mailto = !http && rest.startsWith(QLatin1String("mailto:"));
            if (http || mailto) {
                qsizetype end = j;
                while (end < n && !stopsUrl(line[end])) ++end;
                if (http)
                    while (end > j && QStringLiteral(".,;:!?)]").contains(line[end - 1])) --end;
                const qsizetype minimum = j + (http ? (rest.startsWith(QLatin1String("https")) ? 9 : 8) : 8);
                if (end >= minimum) {
                    link(j, end, line.mid(j, end - j));
                    j = end;
                    continue;
                }
                j = std::max(end, j + 1);
                continue;
            }
            if (line[j] == QLatin1Char('@')) {
                qsizetype start = j;
                while (start > last && isLocal(line[start - 1])) --start;
                qsizetype end = j + 1;
                while (end < n && isDomain(line[end])) ++end;
                // The domain must end in ".letters" (two or more); cut back to the
                // last dot that gives one.
                qsizetype domEnd = end;
                bool found = false;
                while (domEnd > j + 1 && !found) {
                    qsizetype dot = domEnd - 1; // searched back no further than the '@'
                    while (dot > j + 1 && line[dot] != QLatin1Char('.')) --dot;
                    if (dot <= j + 1) break;
                    qsizetype letters = dot + 1;
                    while (letters < domEnd && isAsciiLetter(line[letters])) ++letters;
                    if (letters - dot - 1 >= 2) {
                        domEnd = letters;
                        found = true;
                    } else {
                        domEnd = dot;
                    }
                }
                if (found && start < j) {
                    link(start, domEnd, QStringLiteral("mailto:") + line.mid(start, domEnd - start));
                    j = domEnd;
                    continue;
                }
                j = end;
                continue;
            }
            ++j;
        }
        appendBreakingRuns(escaped, line.mid(last).toHtmlEscaped(), &run);
        if (depth > 0) {
            static const char *colors[] = {"#2b6cb0", "#2f855a", "#975a16"};
            html += QStringLiteral("<span style=\"color:%1\">%2</span>\n").arg(QLatin1String(colors[(depth - 1) % 3]), escaped);
        } else {
            html += escaped + QLatin1Char('\n');
        }
    }
    html += QStringLiteral("</div>");
    return html;
}

bool isOpenableLink(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == QLatin1String("http") || scheme == QLatin1String("https") || scheme == QLatin1String("mailto");
}

bool linkTextMisleads(const QString &text, const QUrl &target)
{
    // Any word of the text that is an address counts ("Log in at www.bank.example").
    const QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.size() > 1) {
        for (const QString &w : words)
            if (linkTextMisleads(w, target)) return true;
        return false;
    }
    QString t = words.value(0);
    while (!t.isEmpty() && (t.back().isPunct() || t.back().isSymbol()) && t.back() != QLatin1Char('/')) t.chop(1);
    if (t.isEmpty()) return false;
    // Does the text itself look like a web or mail address?
    const QString host = hostOf(t);
    const bool looksLikeAddress = t.contains(QLatin1String("://")) || t.startsWith(QLatin1String("www."), Qt::CaseInsensitive) ||
                                  t.startsWith(QLatin1String("mailto:"), Qt::CaseInsensitive) ||
                                  (host.contains(QLatin1Char('.')) && host.size() >= 4 &&
                                   isAsciiLetter(host.back()));
    if (!looksLikeAddress || host.isEmpty()) return false;
    QString targetHost = target.scheme().compare(QLatin1String("mailto"), Qt::CaseInsensitive) == 0
                             ? hostOf(target.path())
                             : target.host().toLower();
    if (targetHost.startsWith(QLatin1String("www."))) targetHost = targetHost.mid(4);
    if (targetHost.isEmpty()) return true;
    if (targetHost == host) return false;
    // The same site under a sub-domain of what the text names is not misleading.
    return !targetHost.endsWith(QLatin1Char('.') + host);
}

} // namespace heron::mime
