#include "search/Query.h"

#include "store/Database.h"

#include <QDate>
#include <QDateTime>
#include <QTime>

#include <optional>

namespace heron::search {

namespace {

struct Token {
    enum Type { Term, LParen, RParen, Or, Minus } type = Term;
    Token(Type t = Term) : type(t) {}
    QString key;    // "from" in from:bob, else empty
    QString value;  // the word or phrase
    bool quoted = false;
};

// Splits the query; never fails. A '-' directly before a term negates it;
// "OR" in capitals between terms is the operator (in any other case a word).
std::vector<Token> lex(const QString &q)
{
    std::vector<Token> out;
    const qsizetype n = q.size();
    qsizetype i = 0;
    auto readQuoted = [&](QString *into) {
        ++i; // the opening quote
        while (i < n && q[i] != QLatin1Char('"')) into->append(q[i++]);
        if (i < n) ++i; // the closing one, if any
    };
    while (i < n) {
        const QChar c = q[i];
        if (c.isSpace()) { ++i; continue; }
        if (c == QLatin1Char('(')) { out.push_back({Token::LParen}); ++i; continue; }
        if (c == QLatin1Char(')')) { out.push_back({Token::RParen}); ++i; continue; }
        if (c == QLatin1Char('-') && i + 1 < n && !q[i + 1].isSpace() && q[i + 1] != QLatin1Char('-')) {
            out.push_back({Token::Minus});
            ++i;
            continue;
        }
        Token t;
        if (c == QLatin1Char('"')) {
            readQuoted(&t.value);
            t.quoted = true;
            out.push_back(t);
            continue;
        }
        QString word;
        while (i < n && !q[i].isSpace() && q[i] != QLatin1Char('(') && q[i] != QLatin1Char(')')) {
            if (q[i] == QLatin1Char(':') && t.key.isEmpty() && !word.isEmpty()) {
                t.key = word.toLower();
                word.clear();
                ++i;
                if (i < n && q[i] == QLatin1Char('"')) {
                    readQuoted(&word);
                    t.quoted = true;
                    break;
                }
                continue;
            }
            word.append(q[i++]);
        }
        if (t.key.isEmpty() && word == QLatin1String("OR")) { out.push_back({Token::Or}); continue; }
        t.value = word;
        out.push_back(t);
    }
    return out;
}

struct Node {
    enum Kind { And, Or, Not, Fts, Sql, Nothing } kind = And;
    Node(Kind k = And) : kind(k) {}
    std::vector<Node> kids;
    QString fts;
    std::string sql;
    std::vector<SqlParam> params;
};

bool hasWordCharacter(const QString &s)
{
    for (QChar c : s)
        if (c.isLetterOrNumber()) return true;
    return false;
}

SqlParam number(int64_t v) { return SqlParam{false, v, {}}; }

std::string idList(const std::vector<int64_t> &ids)
{
    std::string s;
    for (int64_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s.empty() ? std::string("NULL") : s;
}

std::optional<int64_t> dayStart(const QString &text)
{
    for (const char *format : {"yyyy-MM-dd", "yyyy/MM/dd", "yyyy-M-d", "yyyy/M/d", "yyyy-MM", "yyyy"}) {
        QDate d = QDate::fromString(text, QLatin1String(format));
        if (d.isValid()) return QDateTime(d, QTime(0, 0)).toSecsSinceEpoch();
    }
    return std::nullopt;
}

class Parser {
public:
    Parser(std::vector<Token> tokens, const QueryContext &ctx, QString *error)
        : m_t(std::move(tokens)), m_ctx(ctx), m_error(error) {}

    Node parseAll()
    {
        Node n = parseAnd(0);
        return n;
    }

private:
    bool atEnd() const { return m_pos >= m_t.size(); }
    const Token &peek() const { return m_t[m_pos]; }

    Node parseAnd(int depth)
    {
        Node n{Node::And};
        while (!atEnd()) {
            if (peek().type == Token::RParen) {
                if (depth > 0) break;
                ++m_pos; // a stray ')' is ignored
                continue;
            }
            n.kids.push_back(parseOr(depth));
        }
        return n;
    }

    Node parseOr(int depth)
    {
        Node first = parseUnary(depth);
        if (atEnd() || peek().type != Token::Or) return first;
        Node n{Node::Or};
        n.kids.push_back(std::move(first));
        while (!atEnd() && peek().type == Token::Or) {
            ++m_pos;
            if (atEnd() || peek().type == Token::RParen) break; // "a OR" at the end: just a
            n.kids.push_back(parseUnary(depth));
        }
        return n.kids.size() == 1 ? std::move(n.kids.front()) : n;
    }

    // Nesting (parentheses and '-') is bounded: past kMaxDepth levels they
    // are skipped, in a loop (a million '(' neither recurse nor reach FTS5's
    // small parser stack or SQLite's expression depth).
    Node parseUnary(int depth)
    {
        for (;;) {
            const Token t = m_t[m_pos++];
            switch (t.type) {
            case Token::Minus: {
                if (atEnd()) return Node{Node::And};
                if (depth >= kMaxDepth) continue;
                Node n{Node::Not};
                n.kids.push_back(parseUnary(depth + 1));
                return n;
            }
            case Token::LParen: {
                if (depth >= kMaxDepth) {
                    if (atEnd()) return Node{Node::And};
                    continue;
                }
                Node n = parseAnd(depth + 1);
                if (!atEnd() && peek().type == Token::RParen) ++m_pos;
                return n;
            }
            case Token::Or: // "OR" where no operator can be: the word
                return word(QStringLiteral("OR"), false);
            case Token::RParen: // not reached (parseAnd stops there)
                return Node{Node::And};
            case Token::Term:
                return term(t);
            }
        }
    }

    // A word or a phrase. The index knows which words each field has, not
    // where (detail=column): a single word is one index term; several (a
    // "phrase", or a word such as bob@example.org that is several to the
    // index) are all asked of the index, then checked one after the other
    // in the stored text by heron_phrase().
    Node word(const QString &text, bool quoted, const char *column = nullptr)
    {
        const QStringList tokens = store::searchTokens(text);
        if (tokens.isEmpty()) return Node{Node::And}; // nothing to look for: no condition
        // Words of three letters or more also match as the start of longer
        // words (the filter is typed a letter at a time); phrases are exact.
        const bool prefix = !quoted && tokens.last().size() >= 3;
        QStringList terms;
        for (qsizetype i = 0; i < tokens.size(); ++i)
            terms << ftsString(tokens[i]) + (prefix && i == tokens.size() - 1 ? QStringLiteral(" *") : QString());
        Node fts{Node::Fts};
        const QString expr = tokens.size() == 1 ? terms.front() : QLatin1Char('(') + terms.join(QStringLiteral(" AND ")) + QLatin1Char(')');
        fts.fts = column ? QString::fromLatin1(column) + QLatin1String(" : ") + expr : expr;
        if (tokens.size() == 1) return fts;
        static const std::pair<const char *, const char *> fields[] = {
            {"sender", "(m.from_name || ' ' || m.from_addr)"},
            {"to_list", "m.to_list"},
            {"cc_list", "m.cc_list"},
            {"subject", "m.subject"},
            {"body", "(SELECT body FROM message_text WHERE message_id=m.id)"},
            {"attachments", "(SELECT attachments FROM message_text WHERE message_id=m.id)"}};
        Node check{Node::Sql};
        for (const auto &[name, sqlText] : fields) {
            if (column && qstrcmp(column, name) != 0) continue;
            check.sql += std::string(check.sql.empty() ? "(" : " OR ") + "heron_phrase(" + sqlText + ", ?, " + (prefix ? "1" : "0") + ")";
            check.params.push_back(SqlParam{true, 0, text});
        }
        check.sql += ")";
        Node both{Node::And};
        both.kids.push_back(std::move(fts));
        both.kids.push_back(std::move(check));
        return both;
    }

    Node sql(std::string condition, std::vector<SqlParam> params = {})
    {
        Node n{Node::Sql};
        n.sql = std::move(condition);
        n.params = std::move(params);
        return n;
    }

    Node term(const Token &t)
    {
        if (++m_terms > kMaxTerms) {
            if (m_error->isEmpty()) *m_error = QStringLiteral("only the first %1 terms of a search are used").arg(kMaxTerms);
            return Node{Node::And};
        }
        if (t.key.isEmpty()) return word(t.value, t.quoted);
        const QString v = t.value.trimmed();
        const QString lv = v.toLower();
        if (t.key == QLatin1String("from")) return word(v, t.quoted, "sender");
        if (t.key == QLatin1String("to")) return word(v, t.quoted, "to_list");
        if (t.key == QLatin1String("cc")) return word(v, t.quoted, "cc_list");
        if (t.key == QLatin1String("subject")) return word(v, t.quoted, "subject");
        if (t.key == QLatin1String("filename")) return word(v, t.quoted, "attachments");
        if (t.key == QLatin1String("has")) {
            if (lv == QLatin1String("attachment") || lv == QLatin1String("attachments")) return sql("m.has_attachment<>0");
            return problem(QStringLiteral("has: knows only has:attachment"));
        }
        if (t.key == QLatin1String("is")) {
            if (lv == QLatin1String("unread")) return sql("(m.flags & 1)=0");
            if (lv == QLatin1String("read")) return sql("(m.flags & 1)<>0");
            if (lv == QLatin1String("flagged") || lv == QLatin1String("starred")) return sql("(m.flags & 4)<>0");
            if (lv == QLatin1String("answered") || lv == QLatin1String("replied")) return sql("(m.flags & 2)<>0");
            return problem(QStringLiteral("is: knows unread, read, flagged and answered"));
        }
        if (t.key == QLatin1String("before") || t.key == QLatin1String("after")) {
            const auto day = dayStart(v);
            if (!day) return problem(QStringLiteral("%1: needs a date such as 2026-11-30").arg(t.key));
            // after:D includes the day D; before:D ends where D begins.
            return t.key == QLatin1String("before") ? sql("m.date<?", {number(*day)}) : sql("m.date>=?", {number(*day)});
        }
        if (t.key == QLatin1String("in") || t.key == QLatin1String("folder")) {
            const std::vector<int64_t> ids = m_ctx.folders ? m_ctx.folders(v) : std::vector<int64_t>{};
            return sql("m.mailbox_id IN (" + idList(ids) + ")");
        }
        if (t.key == QLatin1String("account")) {
            const std::vector<int64_t> ids = m_ctx.accounts ? m_ctx.accounts(v) : std::vector<int64_t>{};
            return sql("x.account_id IN (" + idList(ids) + ")");
        }
        // Not an operator ("re:", "http://..."): the words as typed.
        return word(t.key + QLatin1Char(':') + t.value, t.quoted);
    }

    // A term that is not understood is left out (the rest still applies:
    // "before:2026-1" half typed does not empty the list), and said.
    Node problem(const QString &text)
    {
        if (m_error->isEmpty()) *m_error = text;
        return Node{Node::And};
    }

    static constexpr int kMaxDepth = 8;
    static constexpr int kMaxTerms = 64;
    std::vector<Token> m_t;
    size_t m_pos = 0;
    int m_terms = 0;
    const QueryContext &m_ctx;
    QString *m_error;
};

struct Out {
    bool isFts = false;
    bool empty = false; // no condition at all
    QString fts;
    std::string sql;
    std::vector<SqlParam> params;
};

SqlParam text(const QString &t) { return SqlParam{true, 0, t}; }

Out ftsIn(const QString &expr, bool negate)
{
    Out o;
    o.sql = negate ? "m.id NOT IN (SELECT rowid FROM search WHERE search MATCH ?)"
                   : "m.id IN (SELECT rowid FROM search WHERE search MATCH ?)";
    o.params.push_back(text(expr));
    return o;
}

Out asSql(Out o)
{
    if (o.isFts) return ftsIn(o.fts, false);
    return o;
}

// Parentheses only around what needs them (an expression with an operator):
// FTS5's parser stack is small, a simple term never costs a level.
QString group(const QString &fts)
{
    const bool simple = !fts.contains(QLatin1String(" OR ")) && !fts.contains(QLatin1String(" AND ")) &&
                        !fts.contains(QLatin1String(" NOT ")) && !fts.startsWith(QLatin1Char('('));
    return simple ? fts : QLatin1Char('(') + fts + QLatin1Char(')');
}

Out compile(const Node &n)
{
    switch (n.kind) {
    case Node::Fts: {
        Out o;
        o.isFts = true;
        o.fts = n.fts;
        return o;
    }
    case Node::Sql: {
        Out o;
        o.sql = n.sql;
        o.params = n.params;
        return o;
    }
    case Node::Nothing: {
        Out o;
        o.sql = "0";
        return o;
    }
    case Node::Not: {
        Out c = compile(n.kids.front());
        if (c.empty) return c;
        if (c.isFts) return ftsIn(c.fts, true);
        Out o;
        o.sql = "NOT (" + c.sql + ")";
        o.params = c.params;
        return o;
    }
    case Node::Or: {
        std::vector<Out> kids;
        for (const Node &k : n.kids) {
            Out c = compile(k);
            if (!c.empty) kids.push_back(std::move(c)); // "a OR !!!": just a
        }
        if (kids.empty()) {
            Out none;
            none.empty = true;
            return none;
        }
        if (kids.size() == 1) return std::move(kids.front());
        bool allFts = true;
        for (const Out &k : kids) allFts = allFts && k.isFts;
        Out o;
        if (allFts) {
            o.isFts = true;
            for (const Out &k : kids) o.fts += (o.fts.isEmpty() ? QString() : QStringLiteral(" OR ")) + group(k.fts);
            return o;
        }
        for (Out &k : kids) {
            k = asSql(std::move(k));
            o.sql += (o.sql.empty() ? "(" : " OR (") + k.sql + ")";
            o.params.insert(o.params.end(), k.params.begin(), k.params.end());
        }
        o.sql = "(" + o.sql + ")";
        return o;
    }
    case Node::And:
        break;
    }
    // AND: the words go to the index in one MATCH (positives, then NOT the
    // negatives); the other conditions are ANDed beside it.
    QStringList positive, negative;
    std::vector<Out> others;
    for (const Node &k : n.kids) {
        if (k.kind == Node::Not) {
            Out c = compile(k.kids.front());
            if (c.empty) continue;
            if (c.isFts) { negative << c.fts; continue; }
            Out o;
            o.sql = "NOT (" + c.sql + ")";
            o.params = c.params;
            others.push_back(std::move(o));
            continue;
        }
        Out c = compile(k);
        if (c.empty) continue;
        if (c.isFts) positive << group(c.fts);
        else others.push_back(std::move(c));
    }
    Out fts;
    bool haveFts = false;
    if (!positive.isEmpty()) {
        fts.isFts = true;
        fts.fts = positive.join(QStringLiteral(" AND "));
        if (!negative.isEmpty()) {
            QStringList neg;
            for (const QString &x : negative) neg << group(x);
            fts.fts = QLatin1Char('(') + fts.fts + QStringLiteral(") NOT (") + neg.join(QStringLiteral(" OR ")) + QLatin1Char(')');
        }
        haveFts = true;
    } else if (!negative.isEmpty()) {
        QStringList neg;
        for (const QString &x : negative) neg << group(x);
        others.push_back(ftsIn(neg.join(QStringLiteral(" OR ")), true));
    }
    if (others.empty()) {
        if (haveFts) return fts;
        Out none;
        none.empty = true;
        return none;
    }
    if (haveFts) others.insert(others.begin(), ftsIn(fts.fts, false));
    Out o;
    for (const Out &k : others) {
        o.sql += (o.sql.empty() ? "(" : " AND (") + k.sql + ")";
        o.params.insert(o.params.end(), k.params.begin(), k.params.end());
    }
    return o;
}

} // namespace

QString ftsString(const QString &text)
{
    QString s = text;
    s.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QStringList plainWords(const QString &query)
{
    QStringList out;
    for (const Token &t : lex(query)) {
        if (t.type != Token::Term || !t.key.isEmpty()) return {};
        if (hasWordCharacter(t.value)) out << t.value;
    }
    return out;
}

CompiledQuery compileQuery(const QString &query, const QueryContext &context)
{
    CompiledQuery out;
    Parser p(lex(query), context, &out.error);
    Out o = compile(p.parseAll());
    if (o.empty) {
        out.where = "1";
        return out;
    }
    o = asSql(std::move(o));
    out.where = o.sql;
    out.params = std::move(o.params);
    out.empty = false;
    return out;
}

} // namespace heron::search
