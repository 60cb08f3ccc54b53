#include "mime/Address.h"

#include "mime/HeaderDecoding.h"

#include <QStringDecoder>

namespace heron::mime {

namespace {

constexpr int kMaxMailboxes = 1000; // per header: the rest is not listed

bool isRemovedChar(char32_t u)
{
    const bool ctl = u < 0x20 || (u >= 0x7f && u < 0xa0);
    const bool bidi = (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f ||
                      u == 0x061c;
    const bool invisible = u == 0x200b || u == 0x2060 || u == 0xfeff || u == 0x00ad;
    return ctl || bidi || invisible;
}

// Control and bidi characters made visible (U+FFFD), whitespace folded.
QString visible(const QString &text)
{
    QString out;
    out.reserve(text.size());
    bool space = false;
    for (QChar ch : text) {
        const char16_t u = ch.unicode();
        if (u == '\t' || u == '\r' || u == '\n' || u == ' ') {
            space = true;
            continue;
        }
        if (space && !out.isEmpty()) out += QLatin1Char(' ');
        space = false;
        out += isRemovedChar(u) ? QChar(0xfffd) : ch;
    }
    return out;
}

QString bytesToText(const QByteArray &b)
{
    bool ascii = true;
    for (char c : b)
        if (uchar(c) >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) return QString::fromLatin1(b);
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString s = utf8.decode(b);
    if (!utf8.hasError()) return s;
    return decodeCharset(b, "windows-1252");
}

// One encoded word "=?charset?B|Q?text?=" at raw[start]; false when it is not
// one, or one that cannot be decoded (unknown charset or encoding).
// *closeCache keeps the last "?=" found (or -2: none left), so that a header
// of many "=?" without an end is scanned once, not once per "=?".
bool decodeWord(const QByteArray &raw, qsizetype start, qsizetype *end, QString *out, qsizetype *closeCache)
{
    qsizetype q1 = start + 2;
    while (q1 < raw.size() && q1 - start < 80 && raw[q1] != '?') ++q1; // a charset name is short
    if (q1 >= raw.size() || raw[q1] != '?' || q1 + 2 >= raw.size() || raw[q1 + 2] != '?') return false;
    const char letter = char(raw[q1 + 1] | 0x20);
    if (letter != 'b' && letter != 'q') return false;
    if (*closeCache == -2) return false;
    if (*closeCache < q1 + 3) *closeCache = raw.indexOf("?=", q1 + 3);
    if (*closeCache < 0) {
        *closeCache = -2;
        return false;
    }
    const qsizetype close = *closeCache;
    QByteArray charset = raw.mid(start + 2, q1 - start - 2);
    const qsizetype star = charset.indexOf('*'); // RFC 2231 language
    if (star >= 0) charset.truncate(star);
    const char enc = char(raw[q1 + 1] | 0x20);
    if (enc != 'b' && enc != 'q') return false;
    const QByteArray cs = charset.trimmed().toLower();
    if (cs.isEmpty()) return false;
    if (cs != "utf-8" && cs != "utf8" && cs != "us-ascii" && cs != "iso-8859-1" && cs != "latin1" &&
        !QStringDecoder(cs.constData()).isValid())
        return false;
    const QByteArray text = raw.mid(q1 + 3, close - q1 - 3);
    QByteArray bytes;
    if (enc == 'b') {
        auto r = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
        if (!r) return false;
        bytes = *r;
    } else {
        bytes.reserve(text.size());
        for (qsizetype i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '_') bytes += ' ';
            else if (c == '=' && i + 2 < text.size() + 0 && isxdigit(uchar(text[i + 1])) && isxdigit(uchar(text[i + 2]))) {
                bytes += char(text.mid(i + 1, 2).toInt(nullptr, 16));
                i += 2;
            } else bytes += c;
        }
    }
    *out = decodeCharset(bytes, cs);
    *end = close + 2;
    return true;
}

struct Token {
    QByteArray text;
    bool quoted = false;
};

struct Pending {
    QList<Token> phrase;     // words before an angle address (or the bare address)
    QByteArray angle;        // inside <...>
    bool hasAngle = false;
    QByteArray comment;      // the first comment: an old-style name "a@b (Name)"
    bool empty() const { return phrase.isEmpty() && !hasAngle; }
};

QByteArray joinPhrase(const QList<Token> &words)
{
    QByteArray out;
    for (const Token &t : words) {
        if (!out.isEmpty()) out += ' ';
        out += t.text;
    }
    return out;
}

Mailbox finish(const Pending &p, bool decode)
{
    Mailbox m;
    if (p.hasAngle) {
        QByteArray a = p.angle.trimmed();
        // Obsolete source route "<@relay:user@host>": the address is after ':'.
        if (a.startsWith('@')) {
            const qsizetype colon = a.indexOf(':');
            if (colon > 0) a = a.mid(colon + 1);
        }
        m.address = visible(bytesToText(a));
        m.name = decode ? decodeDisplayName(joinPhrase(p.phrase)) : visible(bytesToText(joinPhrase(p.phrase)));
    } else {
        // No angle brackets: the words are the address (spaces inside it
        // make it malformed, and it is shown as it is).
        m.address = visible(bytesToText(joinPhrase(p.phrase)));
        if (!p.comment.isEmpty()) m.name = decode ? decodeDisplayName(p.comment) : visible(bytesToText(p.comment));
    }
    if (m.name == m.address) m.name.clear();
    return m;
}

bool isAtext(char c)
{
    return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '(' || c == ')' || c == '<' ||
             c == '>' || c == ',' || c == ';' || c == ':');
}

bool looksLikeDomain(const QString &word)
{
    // "paypal.com", "www.bank.example": labels and a final label of letters.
    const qsizetype dot = word.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0 || dot + 2 > word.size()) return false;
    for (qsizetype i = dot + 1; i < word.size(); ++i)
        if (!word[i].isLetter()) return false;
    for (qsizetype i = 0; i < dot; ++i)
        if (!(word[i].isLetterOrNumber() || word[i] == QLatin1Char('.') || word[i] == QLatin1Char('-'))) return false;
    return true;
}

} // namespace

QString decodeDisplayName(const QByteArray &raw)
{
    QString out;
    qsizetype i = 0;
    bool lastWasWord = false;
    qsizetype pendingSpaceFrom = -1;
    qsizetype closeCache = -1;
    while (i < raw.size()) {
        const qsizetype start = raw.indexOf("=?", i);
        if (start < 0) {
            out += bytesToText(raw.mid(i));
            break;
        }
        QString word;
        qsizetype end = 0;
        if (!decodeWord(raw, start, &end, &word, &closeCache)) {
            out += bytesToText(raw.mid(i, start + 2 - i)); // kept as written: "=?" stays visible
            i = start + 2;
            lastWasWord = false;
            continue;
        }
        const QByteArray between = raw.mid(i, start - i);
        // Whitespace between two encoded words is dropped (RFC 2047 6.2).
        if (!(lastWasWord && between.trimmed().isEmpty())) out += bytesToText(between);
        out += word;
        i = end;
        lastWasWord = true;
        (void)pendingSpaceFrom;
    }
    QString v = visible(out);
    if (v.size() >= 2 && v.startsWith(QLatin1Char('"')) && v.endsWith(QLatin1Char('"'))) v = v.mid(1, v.size() - 2);
    return v.trimmed();
}

namespace {
QList<Mailbox> parseList(const QByteArray &raw, bool decode)
{
    QList<Mailbox> out;
    Pending cur;
    const qsizetype n = raw.size();
    qsizetype i = 0;
    auto flush = [&] {
        if (!cur.empty() && out.size() < kMaxMailboxes) {
            Mailbox m = finish(cur, decode);
            if (!m.address.isEmpty() || !m.name.isEmpty()) out << m;
        }
        cur = Pending();
    };
    while (i < n) {
        const char c = raw[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
        } else if (c == '"') {
            Token t;
            t.quoted = true;
            ++i;
            while (i < n && raw[i] != '"') {
                if (raw[i] == '\\' && i + 1 < n) ++i;
                t.text += raw[i];
                ++i;
            }
            ++i; // closing quote (or the end)
            if (cur.hasAngle) continue; // text after <addr>: ignored
            cur.phrase << t;
        } else if (c == '(') {
            int depth = 0;
            const qsizetype from = i;
            while (i < n) {
                if (raw[i] == '\\' && i + 1 < n) { i += 2; continue; }
                if (raw[i] == '(') ++depth;
                else if (raw[i] == ')' && --depth == 0) { ++i; break; }
                ++i;
            }
            if (cur.comment.isEmpty()) {
                QByteArray text = raw.mid(from + 1, i - from - 2);
                cur.comment = text.trimmed();
            }
        } else if (c == '<') {
            const qsizetype close = raw.indexOf('>', i + 1);
            const qsizetype end = close < 0 ? n : close;
            if (!cur.hasAngle) {
                cur.angle = raw.mid(i + 1, end - i - 1);
                cur.hasAngle = true;
            }
            i = close < 0 ? n : close + 1;
        } else if (c == ',') {
            flush();
            ++i;
        } else if (c == ';') {
            flush(); // end of a group
            ++i;
        } else if (c == ':' && !cur.hasAngle) {
            cur = Pending(); // "Group name:" starts a group; its name is not a mailbox
            ++i;
        } else if (c == '>' || c == ')') {
            ++i; // stray
        } else {
            Token t;
            while (i < n && isAtext(raw[i])) t.text += raw[i++];
            if (t.text.isEmpty()) {
                ++i; // a special with no meaning here (':' after <addr>): skipped (found by fuzz_address)
                continue;
            }
            if (!cur.hasAngle) {
                // "a@b" directly followed by a word is still one (malformed) address.
                if (!cur.phrase.isEmpty() && !cur.phrase.last().quoted && (t.text.startsWith('@') || cur.phrase.last().text.endsWith('@') ||
                                                                          cur.phrase.last().text.endsWith('.') || t.text.startsWith('.')))
                    cur.phrase.last().text += t.text;
                else
                    cur.phrase << t;
            }
        }
    }
    flush();
    return out;
}
} // namespace

QList<Mailbox> parseAddressList(const QByteArray &raw) { return parseList(raw, true); }

QString displayMailboxList(const QString &stored)
{
    QStringList out;
    for (const Mailbox &m : parseList(stored.toUtf8(), false)) out << fullLabel(m.name, m.address);
    return out.join(QStringLiteral(", "));
}

Mailbox mailboxFromParts(const QByteArray &rawName, const QByteArray &localPart, const QByteArray &domain)
{
    Mailbox m;
    m.name = decodeDisplayName(rawName);
    const QByteArray addr = domain.isEmpty() ? localPart : localPart + '@' + domain;
    m.address = visible(bytesToText(addr));
    if (m.name == m.address) m.name.clear();
    return m;
}

bool isValidAddress(const QString &address)
{
    const qsizetype at = address.lastIndexOf(QLatin1Char('@'));
    if (at <= 0 || at == address.size() - 1) return false;
    const QString local = address.left(at);
    const QString domain = address.mid(at + 1);
    if (local.startsWith(QLatin1Char('"')) && local.endsWith(QLatin1Char('"')) && local.size() >= 2) {
        // quoted local part: anything printable
    } else {
        if (local.contains(QLatin1Char('@'))) return false;
        for (QChar c : local)
            if (c.isSpace() || c.unicode() == 0xfffd || QStringLiteral("<>()[],;:\"\\").contains(c)) return false;
        if (local.startsWith(QLatin1Char('.')) || local.endsWith(QLatin1Char('.')) || local.contains(QLatin1String(".."))) return false;
    }
    if (domain.startsWith(QLatin1Char('[')) && domain.endsWith(QLatin1Char(']'))) return domain.size() > 2;
    for (const QString &label : domain.split(QLatin1Char('.'))) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(QLatin1Char('-')) || label.endsWith(QLatin1Char('-')))
            return false;
        for (QChar c : label)
            if (!(c.isLetterOrNumber() || c == QLatin1Char('-'))) return false;
    }
    return true;
}

bool nameNeedsAddress(const QString &name, const QString &address)
{
    if (name.isEmpty()) return false;
    // Compatibility forms folded (full-width '＠', '．', '＜'), ideographic
    // full stops read as dots, and any invisible formatting character (joiners,
    // variation selectors) is itself a reason to show the address.
    QString n = name.normalized(QString::NormalizationForm_KC);
    n.replace(QChar(0x3002), QLatin1Char('.')).replace(QChar(0xff61), QLatin1Char('.'));
    for (QChar c : std::as_const(n))
        if (c.category() == QChar::Other_Format || c.unicode() == 0x034f || c.unicode() == 0x180e ||
            (c.unicode() >= 0xfe00 && c.unicode() <= 0xfe0f))
            return true;
    if (n.contains(QLatin1Char('@')) || n.contains(QChar(0xfe6b)) || n.contains(QLatin1Char('<')) ||
        n.contains(QLatin1Char('>')) || n.contains(QChar(0xfffd)) || n.contains(QLatin1String("=?")))
        return true;
    QString word;
    auto check = [&] {
        while (!word.isEmpty() && (word.back().isPunct() || word.back().isSymbol())) word.chop(1);
        while (!word.isEmpty() && (word.front().isPunct() || word.front().isSymbol())) word.remove(0, 1);
        const bool hit = looksLikeDomain(word);
        word.clear();
        return hit;
    };
    for (QChar c : std::as_const(n)) {
        if (c.isSpace()) {
            if (check()) return true;
        } else {
            word += c;
        }
    }
    if (check()) return true;
    return !isValidAddress(address);
}

QString senderLabel(const QString &name, const QString &address)
{
    if (name.isEmpty()) return fullLabel(name, address);
    if (nameNeedsAddress(name, address)) return fullLabel(name, address);
    return name;
}

QString fullLabel(const QString &name, const QString &address)
{
    QString addr = address;
    if (!address.isEmpty() && !isValidAddress(address))
        addr += QStringLiteral(" (invalid address)");
    if (address.isEmpty()) addr = QStringLiteral("(no address)");
    if (name.isEmpty()) return addr;
    return QStringLiteral("%1 <%2>").arg(name, addr);
}

QString formatMailboxList(const QList<Mailbox> &list)
{
    QStringList parts;
    for (const Mailbox &m : list) {
        QString name = m.name;
        if (!name.isEmpty() && (name.contains(QLatin1Char(',')) || name.contains(QLatin1Char(';')) ||
                                name.contains(QLatin1Char('"')) || name.contains(QLatin1Char('<'))))
            name = QLatin1Char('"') + QString(name).replace(QLatin1Char('"'), QLatin1Char('\'')) + QLatin1Char('"');
        parts << (name.isEmpty() ? m.address : QStringLiteral("%1 <%2>").arg(name, m.address));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace heron::mime
