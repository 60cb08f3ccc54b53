// MailStore: message bodies (in the database or in files beside it), the
// offline policy that decides which are kept, their eviction, and saved searches.
#include "store/MailStore.h"

#include "search/SearchIndex.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <sqlite3.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <set>

namespace heron::store {

namespace {
// Written and synced before the row naming it is committed: a crash leaves at
// worst a file nobody names (swept later), never a row without its file.
QString writeBodyFile(const QString &dir, int64_t messageId, const QByteArray &raw)
{
    const QString sub = QStringLiteral("%1").arg(messageId & 0xff, 2, 16, QLatin1Char('0'));
    const QString rel = sub + QLatin1Char('/') + QString::number(messageId) + QLatin1Char('-') +
                        QString::number(QRandomGenerator::system()->generate64(), 16) + QStringLiteral(".eml");
    QDir().mkpath(dir + QLatin1Char('/') + sub);
    QFile f(dir + QLatin1Char('/') + rel);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        throw StoreError("cannot create " + f.fileName().toStdString() + ": " + f.errorString().toStdString(), SQLITE_CANTOPEN);
    const bool ok = f.write(raw) == raw.size() && f.flush() && ::fsync(f.handle()) == 0;
    f.close();
    // The directory entry too: after a power cut the committed row must not
    // name a file the directory forgot.
    if (ok) {
        const int dfd = ::open(QFile::encodeName(dir + QLatin1Char('/') + sub).constData(), O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }
    if (!ok) {
        QFile::remove(f.fileName());
        // Most likely the disk is full: reported as such (StoreError::isDiskFull).
        throw StoreError("cannot write " + f.fileName().toStdString(), SQLITE_FULL);
    }
    return rel;
}
} // namespace

QString MailStore::bodiesDir() const
{
    return QFileInfo(m_db.path()).absolutePath() + QStringLiteral("/bodies");
}

bool MailStore::storeBody(int64_t messageId, const QByteArray &raw, const BodyText *text)
{
    // The message may be gone meanwhile (deleted, expunged by another
    // connection): nothing to store, not an error.
    if (!hasMessage(messageId)) return false;
    BodyText computed;
    if (!text) {
        computed = search::textForIndex(raw);
        text = &computed;
    }
    const QString file = raw.size() > kInlineBodyBytes ? writeBodyFile(bodiesDir(), messageId, raw) : QString();
    std::optional<Transaction> tx;
    if (sqlite3_get_autocommit(m_db.handle())) tx.emplace(m_db);
    // Not INSERT OR REPLACE: its implicit delete fires no trigger, and the
    // triggers are what keep the index and the file list right.
    Statement &del = m_db.cached("DELETE FROM bodies WHERE message_id=?");
    del.bind(1, messageId).exec();
    Statement &delText = m_db.cached("DELETE FROM message_text WHERE message_id=?"); // a stray one, never a UNIQUE failure
    delText.bind(1, messageId).exec();
    Statement &q = m_db.cached("INSERT INTO bodies(message_id, raw, bytes, file, stored) VALUES(?,?,?,?,?)");
    q.bind(1, messageId).bind(2, file.isEmpty() ? raw : QByteArray()).bind(3, int64_t(raw.size()));
    if (file.isEmpty()) q.bindNull(4);
    else q.bind(4, file);
    q.bind(5, QDateTime::currentSecsSinceEpoch());
    q.exec();
    Statement &t = m_db.cached("INSERT INTO message_text(message_id, body, attachments) "
                               "SELECT id, ?, ? FROM messages WHERE id=?");
    t.bind(1, text->body).bind(2, text->attachments).bind(3, messageId).exec();
    if (tx) tx->commit();
    return true;
}

std::optional<QByteArray> MailStore::body(int64_t messageId)
{
    Statement q = m_db.prepare("SELECT raw, file, bytes FROM bodies WHERE message_id=?");
    q.bind(1, messageId);
    if (!q.step()) return std::nullopt;
    if (q.isNull(1)) return q.blob(0);
    const QString path = bodiesDir() + QLatin1Char('/') + q.text(1);
    const int64_t bytes = q.int64(2);
    q.reset();
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) {
        QByteArray raw = f.readAll();
        if (raw.size() == bytes) return raw;
    }
    // Only a file that is really gone or cut short is forgotten (and then
    // downloaded again like any message not cached); one that cannot be
    // opened right now (too many open files, permissions, a home directory
    // away for a moment) stays as it is. A local folder's (POP3) body is
    // never forgotten: it exists nowhere else, whatever is left is kept.
    const QFileInfo info(path);
    if (info.exists() && info.size() == bytes) return std::nullopt;
    Statement acc = m_db.prepare("SELECT a.protocol FROM messages m JOIN mailboxes x ON x.id=m.mailbox_id "
                                 "JOIN accounts a ON a.id=x.account_id WHERE m.id=?");
    acc.bind(1, messageId);
    if (acc.step() && acc.text(0) == QLatin1String("pop3")) return std::nullopt;
    Statement del = m_db.prepare("DELETE FROM bodies WHERE message_id=?");
    del.bind(1, messageId).exec();
    return std::nullopt;
}

bool MailStore::hasBody(int64_t messageId)
{
    Statement &q = m_db.cached("SELECT 1 FROM bodies WHERE message_id=?");
    q.bind(1, messageId);
    const bool has = q.step();
    q.reset();
    return has;
}

bool MailStore::isSameMessage(int64_t messageId, int64_t mailboxId, uint32_t uid, uint32_t uidvalidity)
{
    Statement &q = m_db.cached("SELECT 1 FROM messages WHERE id=? AND mailbox_id=? AND uid=? AND uidvalidity=?");
    q.bind(1, messageId).bind(2, mailboxId).bind(3, int64_t(uid)).bind(4, int64_t(uidvalidity));
    const bool same = q.step();
    q.reset();
    return same;
}

bool MailStore::hasMessage(int64_t messageId)
{
    Statement &q = m_db.cached("SELECT 1 FROM messages WHERE id=?");
    q.bind(1, messageId);
    const bool has = q.step();
    q.reset();
    return has;
}

int MailStore::purgeBodyFiles(bool sweep)
{
    int removed = 0;
    const QString dir = bodiesDir();
    std::vector<QString> gone;
    {
        Statement q = m_db.prepare("SELECT file FROM body_files_gone");
        while (q.step()) gone.push_back(q.text(0));
    }
    Statement del = m_db.prepare("DELETE FROM body_files_gone WHERE file=?");
    for (const QString &rel : gone) {
        const QString path = dir + QLatin1Char('/') + rel;
        if (QFile::remove(path) || !QFile::exists(path)) {
            del.bind(1, rel).exec();
            ++removed;
        }
    }
    if (!sweep || !QFileInfo::exists(dir)) return removed;
    std::set<QString> named;
    {
        Statement q = m_db.prepare("SELECT file FROM bodies WHERE file IS NOT NULL");
        while (q.step()) named.insert(q.text(0));
    }
    const QDateTime old = QDateTime::currentDateTimeUtc().addSecs(-60);
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(dir).relativeFilePath(path);
        if (named.count(rel) || it.fileInfo().lastModified() > old) continue;
        if (QFile::remove(path)) ++removed;
    }
    return removed;
}

std::pair<int64_t, int64_t> MailStore::offlineUsage(int64_t accountId)
{
    Statement q = m_db.prepare("SELECT COUNT(*), COALESCE(SUM(b.bytes), 0) FROM bodies b JOIN messages m ON m.id=b.message_id "
                               "JOIN mailboxes x ON x.id=m.mailbox_id WHERE x.account_id=?");
    q.bind(1, accountId);
    q.step();
    return {q.int64(0), q.int64(1)};
}

void MailStore::setAccountOfflineDays(int64_t accountId, int days)
{
    Statement q = m_db.prepare("UPDATE accounts SET offline_days=? WHERE id=?");
    q.bind(1, std::max(-1, days)).bind(2, accountId).exec();
}

void MailStore::setMailboxOfflineDays(int64_t mailboxId, int days)
{
    Statement q = m_db.prepare("UPDATE mailboxes SET offline_days=? WHERE id=?");
    q.bind(1, std::max(kInheritOffline, days)).bind(2, mailboxId).exec();
}

int MailStore::mailboxOfflineDays(int64_t mailboxId)
{
    Statement q = m_db.prepare("SELECT offline_days FROM mailboxes WHERE id=?");
    q.bind(1, mailboxId);
    return q.step() ? q.integer(0) : kInheritOffline;
}

int MailStore::effectiveOfflineDays(int64_t mailboxId)
{
    Statement q = m_db.prepare("SELECT x.offline_days, a.offline_days, a.protocol FROM mailboxes x JOIN accounts a ON a.id=x.account_id "
                               "WHERE x.id=?");
    q.bind(1, mailboxId);
    if (!q.step()) return 0;
    if (q.text(2) == QLatin1String("pop3")) return -1; // local folders: nothing exists elsewhere
    return q.integer(0) == kInheritOffline ? q.integer(1) : q.integer(0);
}

namespace {
// The oldest date the policy keeps, or nullopt for "headers only".
std::optional<int64_t> cutoffFor(int days, int64_t now)
{
    if (days == 0) return std::nullopt;
    if (days < 0) return std::numeric_limits<int64_t>::min();
    return now - int64_t(days) * 86400;
}
} // namespace

std::vector<MailStore::BodyWanted> MailStore::bodiesWanted(int64_t accountId, int64_t maxBytes, int limit, int64_t now,
                                                           const std::set<int64_t> &skipMailboxes)
{
    std::vector<BodyWanted> out;
    Statement q = m_db.prepare(
        "SELECT id, mailbox_id, uid, size, date, uidvalidity FROM messages INDEXED BY messages_wanting_body "
        "WHERE mailbox_id=? AND has_body=0 AND date>=? AND size<=? ORDER BY date DESC, id DESC LIMIT ?");
    for (const MailboxRecord &mb : mailboxes(accountId)) {
        if (!mb.selectable || skipMailboxes.count(mb.id)) continue;
        const auto cutoff = cutoffFor(effectiveOfflineDays(mb.id), now);
        if (!cutoff) continue;
        q.bind(1, mb.id).bind(2, *cutoff).bind(3, maxBytes).bind(4, limit);
        while (q.step())
            out.push_back({q.int64(0), q.int64(1), uint32_t(q.int64(2)), q.int64(3), q.int64(4), uint32_t(q.int64(5))});
        q.reset();
    }
    std::stable_sort(out.begin(), out.end(), [](const BodyWanted &a, const BodyWanted &b) { return a.date > b.date; });
    if (out.size() > size_t(limit)) out.resize(size_t(limit));
    return out;
}

int64_t MailStore::bodiesWantedCount(int64_t accountId, int64_t maxBytes, int64_t now)
{
    int64_t n = 0;
    Statement q = m_db.prepare(
        "SELECT COUNT(*) FROM messages INDEXED BY messages_wanting_body WHERE mailbox_id=? AND has_body=0 AND date>=? AND size<=?");
    for (const MailboxRecord &mb : mailboxes(accountId)) {
        if (!mb.selectable) continue;
        const auto cutoff = cutoffFor(effectiveOfflineDays(mb.id), now);
        if (!cutoff) continue;
        q.bind(1, mb.id).bind(2, *cutoff).bind(3, maxBytes);
        if (q.step()) n += q.int64(0);
        q.reset();
    }
    return n;
}

int MailStore::evictBodies(int64_t accountId, int64_t now)
{
    auto acc = account(accountId);
    if (!acc || acc->isPop3()) return 0;
    int evicted = 0;
    Transaction tx(m_db);
    Statement q = m_db.prepare("DELETE FROM bodies WHERE stored<? AND message_id IN "
                               "(SELECT id FROM messages WHERE mailbox_id=? AND date<?)");
    for (const MailboxRecord &mb : mailboxes(accountId)) {
        const auto cutoff = cutoffFor(effectiveOfflineDays(mb.id), now);
        if (cutoff && *cutoff == std::numeric_limits<int64_t>::min()) continue; // keeps all
        q.bind(1, now - 86400).bind(2, mb.id).bind(3, cutoff ? *cutoff : std::numeric_limits<int64_t>::max());
        q.exec();
        evicted += m_db.changes();
    }
    tx.commit();
    return evicted;
}

std::vector<MailStore::SavedSearch> MailStore::savedSearches()
{
    std::vector<SavedSearch> out;
    Statement q = m_db.prepare("SELECT id, name, query FROM saved_searches ORDER BY sort_order, id");
    while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2)});
    return out;
}

int64_t MailStore::addSavedSearch(const QString &name, const QString &query)
{
    Statement q = m_db.prepare("INSERT INTO saved_searches(name, query, sort_order) "
                               "VALUES(?,?,(SELECT COALESCE(MAX(sort_order),0)+1 FROM saved_searches))");
    q.bind(1, name).bind(2, query).exec();
    return m_db.lastInsertId();
}

void MailStore::removeSavedSearch(int64_t id)
{
    Statement q = m_db.prepare("DELETE FROM saved_searches WHERE id=?");
    q.bind(1, id).exec();
}

} // namespace heron::store
