#pragma once
// The search language of the quick filter, "Search all mail" and
// `heron-cli search`, as Gmail and Thunderbird users know it:
//
//   words              every word, anywhere (sender, recipients, subject, text,
//                      attachment names); a word of 3 letters or more also
//                      matches longer words it starts ("meet" finds "meeting")
//   "a phrase"         these words in this order
//   from: to: cc: subject: filename:   the word or "phrase" in that field only
//   has:attachment     is:unread is:read is:flagged (is:starred) is:answered
//   before:2026-11-30  after:2026-11-01   (also 2026/11/30; after: includes the day)
//   in:FOLDER          a folder by name or path (in:inbox, in:sent... by role too)
//   account:NAME       an account by name or address
//   a OR b, -word, -from:x, ( ... )       implicit AND between terms
//
// Words are matched by the full-text index (SQLite FTS5, unicode61 with
// diacritics removed: "muller" finds "Müller"); nothing is decoded at query
// time. Malformed input never fails: an unclosed quote or parenthesis closes
// at the end, an unknown "x:y" is searched as the words x y.
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace heron::search {

struct SqlParam {
    bool isText = false;
    int64_t number = 0;
    QString text;
};

struct CompiledQuery {
    // An SQL condition on messages m (and mailboxes x, joined on
    // x.id = m.mailbox_id), with ?NNN-free positional parameters in order.
    std::string where;
    std::vector<SqlParam> params;
    bool empty = true;   // no term at all: matches everything
    QString error;       // a term that could not be understood (the rest still applies)
};

struct QueryContext {
    // Mailbox ids for in:FOLDER, account ids for account:NAME.
    std::function<std::vector<int64_t>(const QString &)> folders;
    std::function<std::vector<int64_t>(const QString &)> accounts;
};

CompiledQuery compileQuery(const QString &query, const QueryContext &context);

// The words and phrases of a query that is nothing but words and phrases
// (what an IMAP SEARCH TEXT can also answer); empty for any other query.
QStringList plainWords(const QString &query);

// One FTS5 string literal for a user's word or phrase ("" doubled).
QString ftsString(const QString &text);

} // namespace heron::search
