#pragma once
// Our own bounded IMAP response reader and parser (RFC 3501 syntax).
// vmime's parser is slow on bulk FETCH and trusts literal sizes blindly
// (shared/notes/vmime.md); everything after login goes through this one.
#include <QByteArray>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace heron::net {

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ImapValue {
    enum Type { Atom, String, Nil, List };
    Type type = Atom;
    QByteArray text;              // Atom or String
    std::vector<ImapValue> items; // List

    bool isList() const { return type == List; }
    bool isNil() const { return type == Nil; }
    // Text of an atom or string; empty for NIL.
    const QByteArray &str() const { return text; }
    uint64_t number(bool *ok = nullptr) const;
    bool atomIs(const char *upper) const; // case-insensitive atom comparison
};

struct ImapLimits {
    int64_t maxLineBytes = 1 << 20;           // a line (excluding literals)
    int64_t maxLiteralBytes = 256ll << 20;    // one literal
    int64_t maxResponseBytes = 300ll << 20;   // one whole response
    int maxDepth = 64;                        // parenthesis nesting
};

// Splits a byte stream into complete responses (a line plus its literals).
class ImapResponseReader {
public:
    explicit ImapResponseReader(ImapLimits limits = {}) : m_limits(limits) {}
    void feed(const char *data, size_t len) { m_buf.append(data, qsizetype(len)); }
    // Takes one complete response off the buffer; false if more bytes are needed.
    // Throws ProtocolError when a limit is exceeded or a literal length is malformed.
    bool take(QByteArray *response);
    bool hasBuffered() const { return m_pos < m_buf.size(); }
private:
    ImapLimits m_limits;
    QByteArray m_buf;
    qsizetype m_pos = 0;      // start of the response being assembled
    qsizetype m_scan = 0;     // where to continue looking for CRLF
    qsizetype m_lineStart = 0; // start of the current line (after the last literal)
};

// A parsed response: "*" untagged, "+" continuation, or a tag.
struct ImapResponse {
    QByteArray tag;
    std::vector<ImapValue> items; // the tokens after the tag
    // For status responses (tagged, or "* OK/NO/BAD/BYE"): the bracketed code
    // ("UIDVALIDITY 123") and the human text.
    QByteArray code;
    QByteArray humanText;
    bool isUntagged() const { return tag == "*"; }
    bool isContinuation() const { return tag == "+"; }
};

ImapResponse parseImapResponse(const QByteArray &raw, const ImapLimits &limits = {});

// RFC 3501 section 5.1.3 modified UTF-7 mailbox names.
QByteArray encodeMailboxName(const QString &name);
QString decodeMailboxName(const QByteArray &name);
// A quoted string (or literal-free atom) suitable for a command argument.
QByteArray quoteImapString(const QByteArray &s);

} // namespace heron::net
