// MailStore: accounts, their order and identities, and pinned certificates.
// (Mailboxes, messages, queues and POP3 bookkeeping are in MailStore.cpp.)
#include "store/MailStore.h"

#include <algorithm>

namespace heron::store {

namespace {
AccountConfig readAccount(Statement &q)
{
    AccountConfig a;
    a.id = q.int64(0);
    a.name = q.text(1);
    a.email = q.text(2);
    a.protocol = q.text(3);
    a.incoming.host = q.text(4);
    a.incoming.port = q.integer(5);
    parseSecurity(q.text(6), &a.incoming.security);
    a.username = q.text(7);
    a.smtp.host = q.text(8);
    a.smtp.port = q.integer(9);
    if (!q.isNull(10)) parseSecurity(q.text(10), &a.smtp.security);
    a.checkIntervalSeconds = q.integer(11);
    a.pop3Policy = q.text(12);
    a.pop3KeepDays = q.integer(13);
    a.maxMessageMB = q.integer(14);
    a.offlineDays = q.integer(15);
    return a;
}
const char *kAccountColumns =
    "id, name, email, protocol, host, port, security, username, smtp_host, smtp_port, smtp_security, check_interval, "
    "pop3_policy, pop3_keep_days, max_message_mb, offline_days";

} // namespace

int64_t MailStore::addAccount(const AccountConfig &a)
{
    Statement q = m_db.prepare(
        "INSERT INTO accounts(name, email, protocol, host, port, security, username, smtp_host, smtp_port, "
        "smtp_security, check_interval, pop3_policy, pop3_keep_days, max_message_mb, offline_days, sort_order) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
        "(SELECT COALESCE(MAX(sort_order),0)+1 FROM accounts))");
    q.bind(1, a.name).bind(2, a.email).bind(3, a.protocol).bind(4, a.incoming.host).bind(5, a.incoming.port)
        .bind(6, securityName(a.incoming.security)).bind(7, a.username);
    if (a.smtp.host.isEmpty()) {
        q.bindNull(8).bindNull(9).bindNull(10);
    } else {
        q.bind(8, a.smtp.host).bind(9, a.smtp.port).bind(10, securityName(a.smtp.security));
    }
    q.bind(11, a.checkIntervalSeconds).bind(12, a.pop3Policy).bind(13, a.pop3KeepDays).bind(14, a.maxMessageMB).bind(15, a.offlineDays);
    q.step();
    const int64_t id = m_db.lastInsertId();
    if (a.isPop3()) ensureLocalFolders(id);
    return id;
}

std::vector<AccountConfig> MailStore::accounts()
{
    std::vector<AccountConfig> out;
    Statement q = m_db.prepare((std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY sort_order, id").c_str());
    while (q.step()) out.push_back(readAccount(q));
    return out;
}

std::optional<AccountConfig> MailStore::account(int64_t id)
{
    Statement q = m_db.prepare((std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id=?").c_str());
    q.bind(1, id);
    if (q.step()) return readAccount(q);
    return std::nullopt;
}

std::optional<AccountConfig> MailStore::accountByName(const QString &name)
{
    Statement q = m_db.prepare((std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE name=?").c_str());
    q.bind(1, name);
    if (q.step()) return readAccount(q);
    return std::nullopt;
}

void MailStore::removeAccount(int64_t id)
{
    Statement q = m_db.prepare("DELETE FROM accounts WHERE id=?");
    q.bind(1, id).exec();
}

void MailStore::updateAccount(const AccountConfig &a)
{
    Statement q = m_db.prepare(
        "UPDATE accounts SET email=?, host=?, port=?, security=?, username=?, smtp_host=?, smtp_port=?, smtp_security=?, "
        "check_interval=?, pop3_policy=?, pop3_keep_days=?, max_message_mb=?, offline_days=? WHERE id=?");
    q.bind(1, a.email).bind(2, a.incoming.host).bind(3, a.incoming.port).bind(4, securityName(a.incoming.security)).bind(5, a.username);
    if (a.smtp.host.isEmpty()) q.bindNull(6).bindNull(7).bindNull(8);
    else q.bind(6, a.smtp.host).bind(7, a.smtp.port).bind(8, securityName(a.smtp.security));
    q.bind(9, a.checkIntervalSeconds).bind(10, a.pop3Policy).bind(11, a.pop3KeepDays).bind(12, a.maxMessageMB).bind(13, a.offlineDays).bind(14, a.id);
    q.exec();
}

bool MailStore::moveAccount(int64_t id, int delta)
{
    Transaction tx(m_db);
    std::vector<int64_t> order;
    Statement q = m_db.prepare("SELECT id FROM accounts ORDER BY sort_order, id");
    while (q.step()) order.push_back(q.int64(0));
    const auto it = std::find(order.begin(), order.end(), id);
    if (it == order.end()) return false;
    const auto pos = it - order.begin();
    const auto other = pos + delta;
    if (other < 0 || other >= ptrdiff_t(order.size())) return false;
    std::swap(order[size_t(pos)], order[size_t(other)]);
    Statement set = m_db.prepare("UPDATE accounts SET sort_order=? WHERE id=?");
    for (size_t i = 0; i < order.size(); ++i) {
        set.bind(1, int64_t(i + 1)).bind(2, order[i]).exec();
    }
    tx.commit();
    return true;
}

std::vector<Identity> MailStore::identities(int64_t accountId)
{
    std::vector<Identity> out;
    Statement q = m_db.prepare("SELECT id, account_id, name, email, reply_to, signature, sort_order FROM identities "
                               "WHERE account_id=? ORDER BY sort_order, id");
    q.bind(1, accountId);
    while (q.step()) {
        Identity i;
        i.id = q.int64(0);
        i.accountId = q.int64(1);
        i.name = q.text(2);
        i.email = q.text(3);
        i.replyTo = q.text(4);
        i.signature = q.text(5);
        i.sortOrder = q.integer(6);
        out.push_back(i);
    }
    return out;
}

int64_t MailStore::addIdentity(const Identity &i)
{
    Statement q = m_db.prepare(
        "INSERT INTO identities(account_id, name, email, reply_to, signature, sort_order) VALUES(?1,?2,?3,?4,?5,"
        "(SELECT COALESCE(MAX(sort_order),0)+1 FROM identities WHERE account_id=?1))");
    q.bind(1, i.accountId).bind(2, i.name).bind(3, i.email).bind(4, i.replyTo).bind(5, i.signature);
    q.step();
    return m_db.lastInsertId();
}

void MailStore::updateIdentity(const Identity &i)
{
    Statement q = m_db.prepare("UPDATE identities SET name=?, email=?, reply_to=?, signature=? WHERE id=?");
    q.bind(1, i.name).bind(2, i.email).bind(3, i.replyTo).bind(4, i.signature).bind(5, i.id).exec();
}

void MailStore::removeIdentity(int64_t identityId)
{
    Statement q = m_db.prepare("DELETE FROM identities WHERE id=?");
    q.bind(1, identityId).exec();
}

QString MailStore::pinnedFingerprint(const QString &host, int port)
{
    Statement q = m_db.prepare("SELECT sha256 FROM trusted_certs WHERE host=? AND port=?");
    q.bind(1, host).bind(2, port);
    return q.step() ? q.text(0) : QString();
}

bool MailStore::isPinned(const QString &host, int port, const QString &sha256)
{
    Statement q = m_db.prepare("SELECT 1 FROM trusted_certs WHERE host=? AND port=? AND sha256=?");
    q.bind(1, host.toLower()).bind(2, port).bind(3, sha256);
    return q.step();
}

void MailStore::pin(const QString &host, int port, const QString &sha256)
{
    Statement q = m_db.prepare("INSERT OR REPLACE INTO trusted_certs(host, port, sha256) VALUES(?,?,?)");
    q.bind(1, host.toLower()).bind(2, port).bind(3, sha256).exec();
}

} // namespace heron::store
