#pragma once
// The full-text index (SQLite FTS5, table "search"; schema and triggers in
// store/Database.cpp): one row per message with its sender, recipients and
// subject from the moment it is cached, and its body text and attachment
// names once its body is. The triggers keep it in the same transaction as
// the data; bodies stored before the index existed are caught up by
// indexPending(). Queries never decode a body.
//
// Thread: functions use the MailStore they are given, on its thread.
#include "search/Query.h"
#include "store/MailStore.h"

#include <QByteArray>

#include <vector>

namespace heron::search {

// What the index learns from a raw message: the text a reader sees (the
// plain part, else the HTML part's text), at most kMaxIndexedChars of it, and
// the attachment names. Bounded like the viewer's parse.
constexpr int kMaxIndexedChars = 200'000;
store::BodyText textForIndex(const QByteArray &raw);

struct Scope {
    std::vector<int64_t> mailboxIds; // empty: every folder
    int64_t accountId = 0;           // 0: every account
};

struct Result {
    std::vector<int64_t> ids; // newest first
    QString error;            // a term that was not understood (the others applied)
};

// in:FOLDER and account:NAME resolved against the store's folders and
// accounts (folders of accountId only, when set).
QueryContext contextFor(store::MailStore &store, int64_t accountId = 0);

// Binds a compiled query's parameters from index first (1-based).
void bindParams(store::Statement &st, const CompiledQuery &q, int first = 1);

Result find(store::MailStore &store, const QString &query, const Scope &scope, int limit);

// Indexes up to max bodies that are cached but not indexed yet (stored by an
// older Heron); returns how many. Cheap when there are none.
int indexPending(store::MailStore &store, int max);

} // namespace heron::search
