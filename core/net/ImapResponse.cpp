#include "net/ImapResponse.h"

#include <QString>

namespace heron::net {

uint64_t ImapValue::number(bool *ok) const
{
    bool good = type == Atom && !text.isEmpty() && text.size() <= 20;
    uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') { good = false; break; }
        v = v * 10 + uint64_t(c - '0');
    }
    if (ok) *ok = good;
    return good ? v : 0;
}

bool ImapValue::atomIs(const char *upper) const
{
    return type == Atom && qstricmp(text.constData(), upper) == 0;
}

// Looks at a line that ends at lineEnd (pointing at '\r' or '\n') and returns
// the announced literal length, or -1 if the line does not end with {N}.
static int64_t literalLength(const QByteArray &buf, qsizetype lineStart, qsizetype lineEnd)
{
    if (lineEnd - lineStart < 3 || buf[lineEnd - 1] != '}')
        return -1;
    qsizetype i = lineEnd - 2;
    if (i >= lineStart && buf[i] == '+') --i; // LITERAL+ form
    int64_t v = 0, mul = 1;
    int digits = 0;
    while (i >= lineStart && buf[i] >= '0' && buf[i] <= '9') {
        if (++digits > 12)
            throw ProtocolError("literal length too large");
        v += (buf[i] - '0') * mul;
        mul *= 10;
        --i;
    }
    if (digits == 0 || i < lineStart || buf[i] != '{')
        return -1;
    return v;
}

bool ImapResponseReader::take(QByteArray *response)
{
    for (;;) {
        qsizetype nl = m_buf.indexOf('\n', m_scan);
        if (nl < 0) {
            m_scan = m_buf.size();
            if (m_buf.size() - m_lineStart > m_limits.maxLineBytes)
                throw ProtocolError("server sent an overlong line");
            return false;
        }
        if (nl - m_lineStart > m_limits.maxLineBytes)
            throw ProtocolError("server sent an overlong line");
        qsizetype end = (nl > m_lineStart && m_buf[nl - 1] == '\r') ? nl - 1 : nl;
        int64_t lit = literalLength(m_buf, m_lineStart, end);
        if (lit >= 0) {
            if (lit > m_limits.maxLiteralBytes)
                throw ProtocolError("server announced a literal of " + std::to_string(lit) +
                                    " bytes, over the limit");
            qsizetype need = nl + 1 + qsizetype(lit);
            if (need - m_pos > m_limits.maxResponseBytes)
                throw ProtocolError("server response exceeds the size limit");
            if (m_buf.size() < need) {
                // Room for the whole literal at once: appending would otherwise
                // grow the buffer geometrically, to up to twice its size.
                if (m_buf.capacity() < need) m_buf.reserve(need + 4096);
                m_scan = nl; // look at this line again once the literal is complete
                return false;
            }
            m_lineStart = m_scan = need;
            continue;
        }
        if (m_pos == 0 && nl + 1 == m_buf.size()) {
            // The whole buffer is this response (a large body): handed over, not copied.
            *response = std::move(m_buf);
            m_buf = QByteArray();
            m_pos = m_lineStart = m_scan = 0;
            return true;
        }
        *response = m_buf.mid(m_pos, nl + 1 - m_pos);
        m_pos = m_lineStart = m_scan = nl + 1;
        if (m_pos == m_buf.size()) {
            m_buf.clear();
            m_pos = m_lineStart = m_scan = 0;
        } else if (m_pos > (1 << 20)) {
            m_buf.remove(0, m_pos);
            m_lineStart -= m_pos;
            m_scan -= m_pos;
            m_pos = 0;
        }
        return true;
    }
}

namespace {

class Parser {
public:
    Parser(const QByteArray &raw, const ImapLimits &limits)
        : m_p(raw.constData()), m_e(raw.constData() + raw.size()), m_limits(limits)
    {
        // Drop the final CRLF.
        if (m_e > m_p && m_e[-1] == '\n') --m_e;
        if (m_e > m_p && m_e[-1] == '\r') --m_e;
    }

    ImapResponse parse()
    {
        ImapResponse r;
        r.tag = readWord();
        if (r.tag.isEmpty())
            throw ProtocolError("empty response line");
        skipSpaces();
        if (r.tag == "+") {
            r.humanText = QByteArray(m_p, m_e - m_p);
            return r;
        }
        const char *save = m_p;
        QByteArray first = readWord().toUpper();
        if (first == "OK" || first == "NO" || first == "BAD" || first == "BYE" || first == "PREAUTH") {
            ImapValue v;
            v.text = first;
            r.items.push_back(v);
            skipSpaces();
            if (m_p < m_e && *m_p == '[') {
                const char *close = static_cast<const char *>(memchr(m_p, ']', size_t(m_e - m_p)));
                if (!close)
                    throw ProtocolError("unterminated response code");
                r.code = QByteArray(m_p + 1, close - m_p - 1);
                m_p = close + 1;
                skipSpaces();
            }
            r.humanText = QByteArray(m_p, m_e - m_p);
            return r;
        }
        m_p = save;
        while (skipSpaces(), m_p < m_e)
            r.items.push_back(readValue(0));
        return r;
    }

private:
    void skipSpaces()
    {
        while (m_p < m_e && *m_p == ' ') ++m_p;
    }
    QByteArray readWord()
    {
        const char *s = m_p;
        while (m_p < m_e && *m_p != ' ') ++m_p;
        return QByteArray(s, m_p - s);
    }

    ImapValue readValue(int depth)
    {
        if (m_p >= m_e)
            throw ProtocolError("truncated response");
        ImapValue v;
        char c = *m_p;
        if (c == '(') {
            if (depth >= m_limits.maxDepth)
                throw ProtocolError("response nested too deeply");
            ++m_p;
            v.type = ImapValue::List;
            for (;;) {
                skipSpaces();
                if (m_p >= m_e)
                    throw ProtocolError("unterminated list");
                if (*m_p == ')') { ++m_p; break; }
                v.items.push_back(readValue(depth + 1));
            }
            return v;
        }
        if (c == ')')
            throw ProtocolError("unexpected ')'");
        if (c == '"') {
            ++m_p;
            v.type = ImapValue::String;
            while (m_p < m_e && *m_p != '"') {
                if (*m_p == '\\' && m_p + 1 < m_e) ++m_p;
                v.text.append(*m_p++);
            }
            if (m_p >= m_e)
                throw ProtocolError("unterminated quoted string");
            ++m_p;
            return v;
        }
        if (c == '{' || (c == '~' && m_p + 1 < m_e && m_p[1] == '{')) {
            if (c == '~') ++m_p;
            ++m_p;
            int64_t n = 0;
            int digits = 0;
            while (m_p < m_e && *m_p >= '0' && *m_p <= '9') {
                if (++digits > 12) throw ProtocolError("literal length too large");
                n = n * 10 + (*m_p++ - '0');
            }
            if (m_p < m_e && *m_p == '+') ++m_p;
            if (digits == 0 || m_p >= m_e || *m_p != '}')
                throw ProtocolError("malformed literal");
            ++m_p;
            if (m_p < m_e && *m_p == '\r') ++m_p;
            if (m_p >= m_e || *m_p != '\n')
                throw ProtocolError("malformed literal");
            ++m_p;
            if (n > m_limits.maxLiteralBytes || n > m_e - m_p)
                throw ProtocolError("literal longer than the response");
            v.type = ImapValue::String;
            v.text = QByteArray(m_p, qsizetype(n));
            m_p += n;
            return v;
        }
        const char *s = m_p;
        while (m_p < m_e && *m_p != ' ' && *m_p != '(' && *m_p != ')') {
            if (*m_p == '[') {
                const char *close = static_cast<const char *>(memchr(m_p, ']', size_t(m_e - m_p)));
                if (!close)
                    throw ProtocolError("unterminated section");
                m_p = close;
            }
            ++m_p;
        }
        v.text = QByteArray(s, m_p - s);
        if (v.text.size() == 3 && qstricmp(v.text.constData(), "NIL") == 0) {
            v.type = ImapValue::Nil;
            v.text.clear();
        }
        return v;
    }

    const char *m_p;
    const char *m_e;
    const ImapLimits &m_limits;
};

} // namespace

ImapResponse parseImapResponse(const QByteArray &raw, const ImapLimits &limits)
{
    return Parser(raw, limits).parse();
}

// Modified UTF-7: printable ASCII except '&' as is, '&' as "&-", everything else
// as UTF-16 in modified base64 ("," instead of "/") between '&' and '-'.
QByteArray encodeMailboxName(const QString &name)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    QByteArray out;
    int i = 0;
    const int n = name.size();
    while (i < n) {
        ushort c = name.at(i).unicode();
        if (c >= 0x20 && c <= 0x7e) {
            out += char(c);
            if (c == '&') out += '-';
            ++i;
            continue;
        }
        out += '&';
        uint32_t bits = 0;
        int nbits = 0;
        while (i < n && !(name.at(i).unicode() >= 0x20 && name.at(i).unicode() <= 0x7e)) {
            bits = (bits << 16) | name.at(i).unicode();
            nbits += 16;
            while (nbits >= 6) {
                nbits -= 6;
                out += b64[(bits >> nbits) & 0x3f];
            }
            ++i;
        }
        if (nbits > 0)
            out += b64[(bits << (6 - nbits)) & 0x3f];
        out += '-';
    }
    return out;
}

QString decodeMailboxName(const QByteArray &name)
{
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == ',') return 63;
        return -1;
    };
    QString out;
    for (qsizetype i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c != '&') {
            out += QLatin1Char(c);
            continue;
        }
        qsizetype j = i + 1;
        if (j < name.size() && name[j] == '-') {
            out += QLatin1Char('&');
            i = j;
            continue;
        }
        uint32_t bits = 0;
        int nbits = 0;
        for (; j < name.size() && name[j] != '-'; ++j) {
            int v = val(name[j]);
            if (v < 0) break;
            bits = (bits << 6) | uint32_t(v);
            nbits += 6;
            if (nbits >= 16) {
                nbits -= 16;
                out += QChar(ushort((bits >> nbits) & 0xffff));
            }
        }
        i = j; // skip the '-'
    }
    return out;
}

QByteArray quoteImapString(const QByteArray &s)
{
    QByteArray out = "\"";
    for (char c : s) {
        if (c == '\r' || c == '\n' || c == '\0')
            continue; // never let a value end the command line
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

} // namespace heron::net
