#pragma once
// The full-text index (SQLite FTS5, table "search"; schema and triggers in
// store/Database.cpp): one row per message with its sender, recipients and
// subject, and its body text and attachment names once its body is cached.
// New messages join it in batches (indexPending(), run by the account worker
// right after each sync and by heron-cli before it searches); from then on
// the triggers keep it in the same transaction as the data (bodies stored,
// evicted, messages deleted). Queries never decode a body.
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

// Brings the index up to date, up to max messages per call: messages stored
// since the last call (header syncs and POP3 downloads store them unindexed,
// so that indexing never slows a sync down), and bodies cached by a Heron
// from before the index. Returns how many were indexed (0: up to date);
// call again until it returns 0. Safe from several connections at once.
int indexPending(store::MailStore &store, int max);

} // namespace heron::search
