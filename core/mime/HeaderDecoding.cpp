#include "mime/HeaderDecoding.h"

#include <QDateTime>
#include <QStringDecoder>


namespace heron::mime {

QString decodeCharset(const QByteArray &bytes, const QByteArray &charset)
{
    QByteArray cs = charset.trimmed().toLower();
    if (cs.isEmpty() || cs == "us-ascii" || cs == "utf-8" || cs == "utf8") {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        return utf8.decode(bytes);
    }
    QStringDecoder dec(cs.constData());
    if (!dec.isValid()) {
        if (cs == "iso-8859-1" || cs == "latin1")
            return QString::fromLatin1(bytes);
        // Windows-1252 is what "unknown 8-bit" usually is; Latin-1 keeps bytes visible.
        QStringDecoder cp1252("windows-1252");
        if (cp1252.isValid())
            return cp1252.decode(bytes);
        return QString::fromLatin1(bytes);
    }
    return dec.decode(bytes);
}

static QByteArray decodeQ(const QByteArray &in)
{
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=' && i + 2 < in.size()) {
            bool ok = false;
            int v = in.mid(i + 1, 2).toInt(&ok, 16);
            if (ok) {
                out += char(v);
                i += 2;
            } else {
                out += c;
            }
        } else {
            out += c;
        }
    }
    return out;
}

static bool isRaw8BitUtf8(const QByteArray &raw)
{
    QStringDecoder utf8(QStringDecoder::Utf8);
    (void)utf8.decode(raw);
    return !utf8.hasError();
}

QString decodeHeader(const QByteArray &raw)
{
    QString out;
    qsizetype i = 0;
    bool lastWasEncoded = false;
    QByteArray pendingSpace;
    qsizetype closeCache = -1; // the last "?=" found (-2: none left): each "=?" does not rescan
    auto appendText = [&](const QByteArray &text) {
        if (text.isEmpty()) return;
        bool ascii = true;
        for (char c : text) if (uchar(c) >= 0x80) { ascii = false; break; }
        if (ascii) out += QString::fromLatin1(text);
        else if (isRaw8BitUtf8(text)) out += QString::fromUtf8(text);
        else out += decodeCharset(text, "windows-1252");
    };
    while (i < raw.size()) {
        qsizetype start = raw.indexOf("=?", i);
        if (start < 0) {
            appendText(pendingSpace + raw.mid(i));
            pendingSpace.clear();
            break;
        }
        // encoded-word: =?charset?enc?text?=
        qsizetype q1 = start + 2;
        while (q1 < raw.size() && q1 - start < 80 && raw[q1] != '?') ++q1; // a charset name is short
        if (q1 >= raw.size() || raw[q1] != '?') q1 = -1;
        qsizetype q2 = q1 < 0 || q1 + 2 >= raw.size() || raw[q1 + 2] != '?' ? -1 : q1 + 2;
        qsizetype end = -1;
        if (q2 >= 0 && closeCache != -2) {
            if (closeCache < q2 + 1) closeCache = raw.indexOf("?=", q2 + 1);
            if (closeCache < 0) closeCache = -2;
            end = closeCache >= 0 ? closeCache : -1;
        }
        if (q1 < 0 || q2 < 0 || end < 0 || q2 != q1 + 2) {
            appendText(pendingSpace + raw.mid(i, start + 2 - i));
            pendingSpace.clear();
            i = start + 2;
            lastWasEncoded = false;
            continue;
        }
        QByteArray between = raw.mid(i, start - i);
        bool onlySpace = !between.isEmpty() && between.trimmed().isEmpty();
        // Whitespace between two adjacent encoded-words is dropped (RFC 2047 6.2).
        if (!(lastWasEncoded && (onlySpace || between.isEmpty())))
            appendText(between);
        QByteArray charset = raw.mid(start + 2, q1 - start - 2);
        qsizetype star = charset.indexOf('*'); // RFC 2231 language suffix
        if (star >= 0) charset.truncate(star);
        char enc = char(raw[q1 + 1] | 0x20);
        QByteArray text = raw.mid(q2 + 1, end - q2 - 1);
        QByteArray bytes = enc == 'b' ? QByteArray::fromBase64(text) : decodeQ(text);
        out += decodeCharset(bytes, charset);
        i = end + 2;
        lastWasEncoded = true;
    }
    return sanitizeDisplayText(out);
}

QString sanitizeDisplayText(const QString &text)
{
    QString out;
    out.reserve(text.size());
    bool space = false;
    for (QChar ch : text) {
        ushort u = ch.unicode();
        bool ctl = u < 0x20 || (u >= 0x7f && u < 0xa0);
        bool bidi = (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f ||
                    u == 0x061c;
        if (u == '\t' || u == '\r' || u == '\n' || u == ' ') {
            space = true;
            continue;
        }
        if (ctl || bidi)
            continue;
        if (space && !out.isEmpty()) out += QLatin1Char(' ');
        space = false;
        out += ch;
    }
    return out;
}

static int monthIndex(const QByteArray &m)
{
    static const char *names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
    QByteArray l = m.left(3).toLower();
    for (int i = 0; i < 12; ++i)
        if (l == names[i]) return i + 1;
    return 0;
}

static int zoneOffsetSeconds(const QByteArray &z)
{
    if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
        bool ok = false;
        int v = z.mid(1).toInt(&ok);
        if (!ok) return 0;
        int s = (v / 100) * 3600 + (v % 100) * 60;
        return z[0] == '-' ? -s : s;
    }
    QByteArray u = z.toUpper();
    if (u == "EST") return -5 * 3600;
    if (u == "EDT") return -4 * 3600;
    if (u == "CST") return -6 * 3600;
    if (u == "CDT") return -5 * 3600;
    if (u == "MST") return -7 * 3600;
    if (u == "MDT") return -6 * 3600;
    if (u == "PST") return -8 * 3600;
    if (u == "PDT") return -7 * 3600;
    return 0;
}

static int64_t assemble(int day, int month, int year, const QByteArray &time, const QByteArray &zone)
{
    if (year < 100) year += year < 50 ? 2000 : 1900;
    QList<QByteArray> hms = time.split(':');
    if (hms.size() < 2 || month == 0 || day < 1 || day > 31) return 0;
    QDate d(year, month, day);
    QTime t(hms[0].toInt(), hms[1].toInt(), hms.size() > 2 ? hms[2].toInt() : 0);
    if (!d.isValid() || !t.isValid()) return 0;
    QDateTime dt(d, t, Qt::UTC);
    return dt.toSecsSinceEpoch() - zoneOffsetSeconds(zone);
}

int64_t parseRfc5322Date(const QByteArray &raw)
{
    QByteArray s = raw.simplified();
    qsizetype comma = s.indexOf(',');
    if (comma >= 0) s = s.mid(comma + 1).trimmed();
    qsizetype paren = s.indexOf('('); // trailing comment "(CET)"
    if (paren >= 0) s = s.left(paren).trimmed();
    QList<QByteArray> f = s.split(' ');
    if (f.size() < 4) return 0;
    return assemble(f[0].toInt(), monthIndex(f[1]), f[2].toInt(), f[3], f.size() > 4 ? f[4] : QByteArray("+0000"));
}

int64_t parseInternalDate(const QByteArray &raw)
{
    QByteArray s = raw.trimmed();
    QList<QByteArray> parts = s.split(' ');
    if (parts.size() < 3) return 0;
    QList<QByteArray> dmy = parts[0].split('-');
    if (dmy.size() != 3) return 0;
    return assemble(dmy[0].toInt(), monthIndex(dmy[1]), dmy[2].toInt(), parts[1], parts[2]);
}

} // namespace heron::mime
