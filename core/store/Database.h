#pragma once
// Thin RAII layer over sqlite3: one Database per thread (SQLite connections are
// not shared across threads here), prepared statements, scoped transactions.
// Errors throw StoreError with SQLite's message; callers turn them into text a
// user can read (e.g. "disk full").
#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>
#include <unordered_map>
#include <cstdint>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace heron::store {

class StoreError : public std::runtime_error {
public:
    StoreError(const std::string &what, int code) : std::runtime_error(what), m_code(code) {}
    int code() const { return m_code; }
    bool isDiskFull() const;
private:
    int m_code;
};

class Statement;

class Database {
public:
    // Opens (creating if needed) the database at path and brings its schema up to date.
    explicit Database(const QString &path);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    void exec(const char *sql);
    Statement prepare(const char *sql);
    // A prepared statement kept for the life of the connection (hot paths:
    // one per stored body), reset and unbound, ready to bind. sql must be a
    // string literal (its address is the key). Not re-entrant: finish with
    // it before asking for the same one again.
    Statement &cached(const char *sql);
    int64_t lastInsertId() const;
    int changes() const;
    sqlite3 *handle() const { return m_db; }
    QString path() const { return m_path; }

    static int schemaVersion();

private:
    void migrate();
    sqlite3 *m_db = nullptr;
    QString m_path;
    std::unordered_map<const char *, std::unique_ptr<Statement>> m_cached;
};

// The words of a text as the full-text index sees them (unicode61 with
// diacritics removed: letters and digits, case folded, no combining marks),
// and whether the words of phrase occur in text one after the other (the
// last one as a prefix of a word when prefixLast). SQL: heron_phrase().
QStringList searchTokens(const QString &text);
bool containsPhrase(const QString &text, const QString &phrase, bool prefixLast);

// A LIKE pattern (with ESCAPE '\\') matching values that contain text as it is:
// %, _ and \ in the text are escaped.
QString likeContaining(const QString &text);

class Statement {
public:
    Statement(sqlite3 *db, const char *sql);
    ~Statement();
    Statement(Statement &&o) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int i, int64_t v);
    Statement &bind(int i, int v) { return bind(i, int64_t(v)); }
    Statement &bind(int i, long long v) { return bind(i, int64_t(v)); }
    Statement &bind(int i, const QString &v);
    Statement &bind(int i, const QByteArray &v); // blob
    Statement &bindText(int i, const std::string &v);
    Statement &bindNull(int i);

    // Returns true while there is a row.
    bool step();
    void exec() { step(); reset(); }
    void reset();

    int64_t int64(int col) const;
    int integer(int col) const { return int(int64(col)); }
    QString text(int col) const;
    QByteArray blob(int col) const;
    bool isNull(int col) const;

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

// Commits on commit(); rolls back if destroyed without it (exception, early return).
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    void commit();
private:
    Database &m_db;
    bool m_done = false;
};

} // namespace heron::store
