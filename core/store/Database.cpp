#include "store/Database.h"

#include <sqlite3.h>

namespace heron::store {

namespace {
void sqlPhrase(sqlite3_context *ctx, int, sqlite3_value **argv);
[[noreturn]] void fail(sqlite3 *db, int rc, const char *context)
{
    std::string msg = context;
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw StoreError(msg, rc);
}

// Each entry brings the schema from version i to i+1. Never edit a shipped entry;
// append a new one.
const char *const kMigrations[] = {
    // 1: accounts, mailboxes, messages, bodies, pending operations, trust.
    R"SQL(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  security TEXT NOT NULL,
  username TEXT NOT NULL,
  smtp_host TEXT, smtp_port INTEGER, smtp_security TEXT,
  sort_order INTEGER NOT NULL DEFAULT 0,
  check_interval INTEGER NOT NULL DEFAULT 300
);
CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  delimiter TEXT NOT NULL DEFAULT '/',
  special_use TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL DEFAULT '',
  selectable INTEGER NOT NULL DEFAULT 1,
  uidvalidity INTEGER NOT NULL DEFAULT 0,
  uidnext INTEGER NOT NULL DEFAULT 0,
  highestmodseq INTEGER NOT NULL DEFAULT 0,
  server_exists INTEGER NOT NULL DEFAULT 0,
  total_count INTEGER NOT NULL DEFAULT 0,
  unread_count INTEGER NOT NULL DEFAULT 0,
  present INTEGER NOT NULL DEFAULT 1,
  UNIQUE(account_id, name)
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  date INTEGER NOT NULL DEFAULT 0,
  from_name TEXT NOT NULL DEFAULT '',
  from_addr TEXT NOT NULL DEFAULT '',
  to_list TEXT NOT NULL DEFAULT '',
  cc_list TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  in_reply_to TEXT NOT NULL DEFAULT '',
  refs TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  flags INTEGER NOT NULL DEFAULT 0,
  has_attachment INTEGER NOT NULL DEFAULT 0,
  UNIQUE(mailbox_id, uid)
);
CREATE INDEX messages_by_date ON messages(mailbox_id, date DESC, id DESC);
CREATE TABLE bodies (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  raw BLOB NOT NULL
);
CREATE TABLE pending_ops (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  mailbox TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  kind TEXT NOT NULL,
  uids TEXT NOT NULL,
  arg TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'queued',
  error TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
CREATE TABLE trusted_certs (
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY(host, port)
);
)SQL",
    // 2: POP3 accounts: what was downloaded (by UIDL) and the server-side policy.
    R"SQL(
CREATE TABLE pop3_uidls (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  uidl TEXT NOT NULL,
  message_id INTEGER,
  fetched INTEGER NOT NULL,
  on_server INTEGER NOT NULL DEFAULT 1,
  delete_requested INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(account_id, uidl)
);
CREATE INDEX pop3_uidls_by_message ON pop3_uidls(message_id);
ALTER TABLE accounts ADD COLUMN pop3_policy TEXT NOT NULL DEFAULT 'leave';
ALTER TABLE accounts ADD COLUMN pop3_keep_days INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 3: the outbox: messages to send, each state committed (see compose/Outbox.h).
    R"SQL(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  raw BLOB NOT NULL,
  envelope_from TEXT NOT NULL,
  recipients TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT (strftime('%s','now')),
  updated INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
)SQL",
    // 4: drafts live in the outbox table until they are on the server.
    R"SQL(
ALTER TABLE outbox ADD COLUMN draft_server_uid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN draft_dirty INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 5: folders the user chose for Sent, Drafts, Trash, ... instead of the server's SPECIAL-USE.
    R"SQL(
CREATE TABLE folder_roles (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  mailbox_name TEXT NOT NULL,
  PRIMARY KEY(account_id, role)
);
)SQL",
    // 6: more identities per account (see account/Identity.h; the account's
    // own address stays its first identity and is not a row here).
    R"SQL(
CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL,
  reply_to TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  sort_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX identities_by_account ON identities(account_id, sort_order);
)SQL",
    // 7: who is working on what (see store/Lease.h): the process that claimed
    // an outbox row, named leases (one replayer of an account's queue), what a
    // queued copy/move has already done on the server, and why a folder's last
    // sync failed.
    R"SQL(
ALTER TABLE outbox ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  token TEXT NOT NULL,
  acquired INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
ALTER TABLE pending_ops ADD COLUMN progress TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';
)SQL",
    // 8: the largest message an account downloads (MB), and POP3 messages that
    // were over it (the limit then: tried again once the limit is raised).
    R"SQL(
ALTER TABLE accounts ADD COLUMN max_message_mb INTEGER NOT NULL DEFAULT 100;
ALTER TABLE pop3_uidls ADD COLUMN too_large_mb INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 9: offline bodies and the full-text index (see store/MailStore.h, "Bodies"
    // and "Search"). offline_days: -1 every message, 0 headers only, N the
    // last N days; a folder's -2 means "as its account". A body is in raw, or
    // (large ones) in the file named by file under the profile's bodies/
    // directory; body_files_gone lists files whose rows are gone, removed
    // from disk after the commit. message_text holds what the index was given
    // for a body, because a contentless FTS5 table can only forget a row when
    // told its exact words again. The invariant the triggers keep: a message
    // has a row in search exactly when messages.indexed is 1, and that row
    // holds its body words exactly when message_text has a row for it.
    // Messages are indexed after they are stored, by search::indexPending
    // (in big batches, off the header sync's critical path: indexing each
    // header as it is stored doubled the 100k sync); deleting one is BEFORE
    // DELETE: the cascade to bodies (and from there to message_text) runs
    // before any AFTER trigger would. detail=column: the index keeps which
    // words each field has, not where (a third of the size, a third faster
    // to build); phrases are checked on the stored text (heron_phrase) among
    // the messages that have all their words. automerge 16: fewer merges
    // while mail streams in. bodies_unindexed: bodies cached before
    // this version, whose words indexPending has yet to extract.
    // saved_searches: the virtual folders of the folder tree. messages.has_body
    // mirrors bodies (triggers), so that the partial index finds the messages
    // still to download without visiting the downloaded ones.
    R"SQL(
ALTER TABLE accounts ADD COLUMN offline_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE mailboxes ADD COLUMN offline_days INTEGER NOT NULL DEFAULT -2;
ALTER TABLE bodies ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN file TEXT;
ALTER TABLE bodies ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;
UPDATE bodies SET bytes=length(raw), stored=strftime('%s','now');
ALTER TABLE messages ADD COLUMN has_body INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET has_body=1 WHERE id IN (SELECT message_id FROM bodies);
CREATE INDEX messages_wanting_body ON messages(mailbox_id, date DESC, id DESC) WHERE has_body=0;
CREATE TRIGGER bodies_has_body AFTER INSERT ON bodies BEGIN
  UPDATE messages SET has_body=1 WHERE id=new.message_id;
END;
CREATE TRIGGER bodies_no_body AFTER DELETE ON bodies BEGIN
  UPDATE messages SET has_body=0 WHERE id=old.message_id;
END;
CREATE TABLE body_files_gone (file TEXT PRIMARY KEY);
CREATE TRIGGER bodies_file_gone AFTER DELETE ON bodies WHEN old.file IS NOT NULL BEGIN
  INSERT OR IGNORE INTO body_files_gone(file) VALUES(old.file);
END;
CREATE TABLE message_text (
  message_id INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  attachments TEXT NOT NULL
);
CREATE VIRTUAL TABLE search USING fts5(sender, to_list, cc_list, subject, body, attachments,
  content='', columnsize=0, detail=column, tokenize='unicode61 remove_diacritics 2');
INSERT INTO search(search, rank) VALUES('automerge', 16);
ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_unindexed ON messages(id) WHERE indexed=0;
CREATE TABLE bodies_unindexed (message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE);
INSERT INTO bodies_unindexed SELECT message_id FROM bodies;
CREATE TRIGGER messages_search_delete BEFORE DELETE ON messages BEGIN
  DELETE FROM message_text WHERE message_id=old.id;
  INSERT INTO search(search, rowid, sender, to_list, cc_list, subject, body, attachments)
    SELECT 'delete', old.id, old.from_name || ' ' || old.from_addr, old.to_list, old.cc_list, old.subject, '', ''
    WHERE old.indexed=1;
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF from_name, from_addr, to_list, cc_list, subject ON messages
WHEN old.indexed=1 BEGIN
  INSERT INTO search(search, rowid, sender, to_list, cc_list, subject, body, attachments)
  VALUES('delete', old.id, old.from_name || ' ' || old.from_addr, old.to_list, old.cc_list, old.subject,
         COALESCE((SELECT body FROM message_text WHERE message_id=old.id), ''),
         COALESCE((SELECT attachments FROM message_text WHERE message_id=old.id), ''));
  INSERT INTO search(rowid, sender, to_list, cc_list, subject, body, attachments)
  VALUES(new.id, new.from_name || ' ' || new.from_addr, new.to_list, new.cc_list, new.subject,
         COALESCE((SELECT body FROM message_text WHERE message_id=new.id), ''),
         COALESCE((SELECT attachments FROM message_text WHERE message_id=new.id), ''));
END;
CREATE TRIGGER message_text_insert AFTER INSERT ON message_text BEGIN
  INSERT INTO search(search, rowid, sender, to_list, cc_list, subject, body, attachments)
    SELECT 'delete', id, from_name || ' ' || from_addr, to_list, cc_list, subject, '', '' FROM messages
    WHERE id=new.message_id AND indexed=1;
  INSERT INTO search(rowid, sender, to_list, cc_list, subject, body, attachments)
    SELECT id, from_name || ' ' || from_addr, to_list, cc_list, subject, new.body, new.attachments FROM messages
    WHERE id=new.message_id AND indexed=1;
END;
CREATE TRIGGER message_text_delete AFTER DELETE ON message_text BEGIN
  INSERT INTO search(search, rowid, sender, to_list, cc_list, subject, body, attachments)
    SELECT 'delete', id, from_name || ' ' || from_addr, to_list, cc_list, subject, old.body, old.attachments FROM messages
    WHERE id=old.message_id AND indexed=1;
  INSERT INTO search(rowid, sender, to_list, cc_list, subject, body, attachments)
    SELECT id, from_name || ' ' || from_addr, to_list, cc_list, subject, '', '' FROM messages
    WHERE id=old.message_id AND indexed=1;
END;
CREATE TRIGGER bodies_text_gone AFTER DELETE ON bodies BEGIN
  DELETE FROM message_text WHERE message_id=old.message_id;
END;
CREATE TABLE saved_searches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  sort_order INTEGER NOT NULL DEFAULT 0
);
)SQL",
    // 10: conversations (see threads/Threads.h). messages.thread: the
    // conversation a message belongs to, across the folders of its account
    // (0: not placed yet; threads::assignPending places new messages in
    // batches after they are stored, like the index). thread_ids: every
    // Message-ID an account has seen, its own or referenced (In-Reply-To,
    // References), by a 63-bit hash, with the conversation it joins; two
    // conversations that turn out to be one (a late parent) are merged into
    // the lower number. thread_counter: the next number, never reused (a
    // view may still hold a number merged away).
    R"SQL(
ALTER TABLE messages ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_unthreaded ON messages(id) WHERE thread=0;
CREATE INDEX messages_by_thread ON messages(thread) WHERE thread<>0;
CREATE TABLE thread_ids (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  PRIMARY KEY(account_id, key)
) WITHOUT ROWID;
CREATE INDEX thread_ids_by_thread ON thread_ids(thread);
CREATE TABLE thread_counter (next INTEGER NOT NULL);
INSERT INTO thread_counter VALUES (1);
)SQL",
};
} // namespace

QStringList searchTokens(const QString &text)
{
    // As FTS5's unicode61 tokenizer with remove_diacritics 2 sees text: runs
    // of letters and digits, case folded, without combining marks.
    QStringList out;
    QString cur;
    const QString d = text.normalized(QString::NormalizationForm_KD);
    for (QChar c : d) {
        const QChar::Category cat = c.category();
        if (cat == QChar::Mark_NonSpacing || cat == QChar::Mark_SpacingCombining || cat == QChar::Mark_Enclosing) continue;
        if (c.isLetterOrNumber() || cat == QChar::Other_PrivateUse) {
            cur += c.toCaseFolded();
        } else if (!cur.isEmpty()) {
            out << cur;
            cur.clear();
        }
    }
    if (!cur.isEmpty()) out << cur;
    return out;
}

bool containsPhrase(const QString &text, const QString &phrase, bool prefixLast)
{
    const QStringList want = searchTokens(phrase);
    if (want.isEmpty()) return false;
    const QStringList have = searchTokens(text);
    for (qsizetype i = 0; i + want.size() <= have.size(); ++i) {
        bool match = true;
        for (qsizetype j = 0; j < want.size() && match; ++j) {
            const bool last = j == want.size() - 1;
            match = last && prefixLast ? have[i + j].startsWith(want[j]) : have[i + j] == want[j];
        }
        if (match) return true;
    }
    return false;
}

namespace {
void sqlPhrase(sqlite3_context *ctx, int, sqlite3_value **argv)
{
    auto text = [](sqlite3_value *v) {
        const auto *p = reinterpret_cast<const char *>(sqlite3_value_text(v));
        return p ? QString::fromUtf8(p, sqlite3_value_bytes(v)) : QString();
    };
    try {
        sqlite3_result_int(ctx, containsPhrase(text(argv[0]), text(argv[1]), sqlite3_value_int(argv[2]) != 0) ? 1 : 0);
    } catch (...) {
        sqlite3_result_error(ctx, "heron_phrase failed", -1); // never an exception through SQLite's C frames
    }
}
} // namespace

QString likeContaining(const QString &text)
{
    QString pat = text;
    pat.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("%"), QLatin1String("\\%")).replace(QLatin1String("_"), QLatin1String("\\_"));
    return QLatin1Char('%') + pat + QLatin1Char('%');
}

bool StoreError::isDiskFull() const { return m_code == SQLITE_FULL || m_code == SQLITE_IOERR; }

Database::Database(const QString &path) : m_path(path)
{
    int rc = sqlite3_open_v2(path.toUtf8().constData(), &m_db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open database " + path.toStdString() + ": " + sqlite3_errstr(rc);
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StoreError(msg, rc);
    }
    sqlite3_busy_timeout(m_db, 10000);
    exec("PRAGMA journal_mode=WAL");
    // FULL: a commit is on disk (the WAL fsync'd) before the call returns, so
    // whatever we tell a server afterwards (DELE of a downloaded POP3 message,
    // SMTP DATA after "sending", EXPUNGE after a move) cannot outlive the local
    // record of it in a power cut. NORMAL would only survive a process crash.
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA cache_size=-16000"); // 16 MB of page cache per connection
    // heron_phrase(text, phrase, prefixLast): the search language's phrases
    // (the index keeps no word positions, see migration 9).
    sqlite3_create_function_v2(m_db, "heron_phrase", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, &sqlPhrase, nullptr,
                               nullptr, nullptr);
    migrate();
}

Database::~Database()
{
    m_cached.clear(); // finalized before the connection closes
    sqlite3_close_v2(m_db);
}

Statement &Database::cached(const char *sql)
{
    auto it = m_cached.find(sql);
    if (it == m_cached.end()) it = m_cached.emplace(sql, std::make_unique<Statement>(m_db, sql)).first;
    it->second->reset();
    return *it->second;
}

int Database::schemaVersion() { return int(sizeof(kMigrations) / sizeof(kMigrations[0])); }

void Database::migrate()
{
    Statement q(m_db, "PRAGMA user_version");
    q.step();
    int version = q.integer(0);
    q.reset();
    if (version > schemaVersion())
        throw StoreError("the profile was written by a newer Heron (schema " + std::to_string(version) + ")", 0);
    for (int v = version; v < schemaVersion(); ++v) {
        Transaction tx(*this);
        exec(kMigrations[v]);
        exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
        tx.commit();
    }
}

void Database::exec(const char *sql)
{
    char *err = nullptr;
    int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw StoreError(msg, rc);
    }
}

Statement Database::prepare(const char *sql) { return Statement(m_db, sql); }
int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

Statement::Statement(sqlite3 *db, const char *sql) : m_db(db)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        fail(db, rc, "prepare");
}
Statement::~Statement() { sqlite3_finalize(m_stmt); }
Statement::Statement(Statement &&o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt) { o.m_stmt = nullptr; }

Statement &Statement::bind(int i, int64_t v) { sqlite3_bind_int64(m_stmt, i, v); return *this; }
Statement &Statement::bind(int i, const QString &v)
{
    QByteArray u = v.toUtf8();
    sqlite3_bind_text(m_stmt, i, u.constData(), u.size(), SQLITE_TRANSIENT);
    return *this;
}
Statement &Statement::bind(int i, const QByteArray &v)
{
    sqlite3_bind_blob64(m_stmt, i, v.constData(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement &Statement::bindText(int i, const std::string &v)
{
    sqlite3_bind_text(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement &Statement::bindNull(int i) { sqlite3_bind_null(m_stmt, i); return *this; }

bool Statement::step()
{
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    int ext = sqlite3_extended_errcode(m_db);
    std::string msg = sqlite3_errmsg(m_db);
    sqlite3_reset(m_stmt);
    throw StoreError(msg, ext & 0xff);
}
void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}
int64_t Statement::int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
QString Statement::text(int col) const
{
    auto p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, col)) : QString();
}
QByteArray Statement::blob(int col) const
{
    auto p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
    return p ? QByteArray(p, sqlite3_column_bytes(m_stmt, col)) : QByteArray();
}
bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

Transaction::Transaction(Database &db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction()
{
    if (!m_done) {
        try { m_db.exec("ROLLBACK"); } catch (...) {}
    }
}
void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace heron::store
