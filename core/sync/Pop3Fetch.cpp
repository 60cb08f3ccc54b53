#include "sync/Pop3Fetch.h"

#include "mime/Envelope.h"
#include "util/CrashPoint.h"

#include <QDateTime>

#include <map>

namespace heron::sync {

Pop3Fetch::Pop3Fetch(store::MailStore &store, const Profile &profile, AccountConfig account, QString password,
                     net::CancelFlag cancel)
    : m_store(store), m_profile(profile), m_account(std::move(account)), m_password(std::move(password)),
      m_cancel(cancel ? std::move(cancel) : std::make_shared<std::atomic_bool>(false)),
      m_now([] { return QDateTime::currentSecsSinceEpoch(); }) {}

Pop3Report Pop3Fetch::run()
{
    Pop3Report report;
    m_store.ensureLocalFolders(m_account.id);
    const int64_t inbox = m_store.mailboxByRole(m_account.id, QStringLiteral("\\Inbox"))->id;
    const int64_t maxBytes = m_account.maxMessageBytes();
    std::unique_ptr<net::Pop3Session> session;
    std::vector<net::Pop3Entry> entries;
    std::map<QString, size_t> numberOf;
    std::set<QString> markedThisSession; // DELE sent in the current session
    // A message that turns out larger than the limit leaves the connection in
    // the middle of it: the session is dropped (no QUIT, so none of its DELEs
    // apply) and a new one lists again.
    auto connectAndList = [&] {
        session = std::make_unique<net::Pop3Session>(m_account, m_password, m_profile.trustPolicy(), m_cancel);
        session->connect();
        entries = session->list();
        numberOf.clear();
        for (const net::Pop3Entry &e : entries) numberOf[e.uidl] = e.number;
        markedThisSession.clear();
    };
    connectAndList();
    int reconnects = 0;
    report.onServer = int(entries.size());
    std::set<QString> known = m_store.knownUidls(m_account.id);
    std::set<QString> skip = m_store.tooLargeUidls(m_account.id, m_account.maxMessageMB);
    for (const net::Pop3Entry &e : entries)
        if (skip.count(e.uidl))
            report.problems << QStringLiteral("a message over the %1 MB limit is left on the server").arg(m_account.maxMessageMB);

    int done = 0;
    const int toFetch = int(std::count_if(entries.begin(), entries.end(), [&](const net::Pop3Entry &e) {
        return !known.count(e.uidl) && !skip.count(e.uidl);
    }));
    for (size_t i = 0; i < entries.size(); ++i) {
        const net::Pop3Entry e = entries[i];
        if (known.count(e.uidl) || skip.count(e.uidl)) continue;
        if (e.uidl.isEmpty()) {
            report.problems << QStringLiteral("message %1 has no UIDL; skipped").arg(e.number);
            continue;
        }
        if (int64_t(e.size) > maxBytes) {
            report.problems << QStringLiteral("message %1 is %2 MB, over the %3 MB limit; left on the server")
                                   .arg(e.number).arg(e.size >> 20).arg(m_account.maxMessageMB);
            m_store.recordTooLarge(m_account.id, e.uidl, m_account.maxMessageMB, m_now());
            skip.insert(e.uidl);
            continue;
        }
        QByteArray raw;
        try {
            raw = session->retrieve(e.number, maxBytes);
        } catch (const net::NetError &err) {
            if (err.kind() == net::NetError::TooLarge) {
                // The size in LIST was not the truth. Marked, never downloaded
                // again at this limit, never deleted by a policy; then the rest.
                report.problems << QStringLiteral("message %1 is larger than the %2 MB limit (the server said %3 bytes); left on the server")
                                       .arg(e.number).arg(m_account.maxMessageMB).arg(e.size);
                m_store.recordTooLarge(m_account.id, e.uidl, m_account.maxMessageMB, m_now());
                skip.insert(e.uidl);
                // A server that renames the message each session could keep
                // this going: a few per run, the rest next time.
                if (++reconnects > 3) {
                    report.problems << QStringLiteral("several messages were over the limit; the rest is downloaded next time");
                    session.reset();
                    m_store.recount(inbox);
                    return report;
                }
                connectAndList();
                i = size_t(-1); // the new session's list, from the start (known ones are skipped)
                continue;
            }
            // One message the server cannot give (a refusal): noted, retried
            // next time; the others go on. A broken connection ends the run.
            if (err.kind() != net::NetError::Server) throw;
            report.problems << QStringLiteral("message %1 could not be downloaded (%2); it is tried again next time")
                                   .arg(e.number).arg(err.message());
            continue;
        }
        MessageRecord m = mime::envelopeFromRaw(raw);
        if (m.date == 0) m.date = m_now();
        store::Transaction tx(m_store.db());
        const int64_t id = m_store.insertLocalMessage(inbox, m, raw);
        m_store.recordUidl(m_account.id, e.uidl, id, m_now());
        m_store.addToCounts(inbox, 1, 1);
        tx.commit(); // on disk (synchronous=FULL) before any DELE can name it
        known.insert(e.uidl);
        HERON_CRASH_POINT("pop3-stored");
        ++report.downloaded;
        ++done;
        if (m_progress) m_progress(inbox, done, toFetch);
        if (m_account.pop3Policy == QLatin1String("delete")) {
            session->markDeleted(e.number);
            markedThisSession.insert(e.uidl);
            ++report.deletedOnServer;
        }
    }
    net::Pop3Session &s = *session;

    // Policies that apply to messages downloaded earlier (also retries a delete
    // whose QUIT never happened).
    std::vector<QString> toDelete;
    if (m_account.pop3Policy == QLatin1String("delete"))
        toDelete = m_store.uidlsOnServerFetchedBefore(m_account.id, std::numeric_limits<int64_t>::max());
    else if (m_account.pop3Policy == QLatin1String("days") && m_account.pop3KeepDays > 0)
        toDelete = m_store.uidlsOnServerFetchedBefore(m_account.id, m_now() - int64_t(m_account.pop3KeepDays) * 86400);
    else if (m_account.pop3Policy == QLatin1String("mirror"))
        toDelete = m_store.uidlsToDeleteOnServer(m_account.id);
    std::vector<QString> deleted;
    for (const QString &u : toDelete) {
        auto it = numberOf.find(u);
        if (it == numberOf.end()) {
            deleted.push_back(u); // already gone from the server
            continue;
        }
        if (markedThisSession.count(u)) {
            deleted.push_back(u); // marked above, in this session
            continue;
        }
        s.markDeleted(it->second);
        ++report.deletedOnServer;
        deleted.push_back(u);
    }
    HERON_CRASH_POINT("pop3-before-quit");
    s.quit(); // deletions take effect here
    HERON_CRASH_POINT("pop3-after-quit");
    if (!deleted.empty()) {
        store::Transaction tx(m_store.db());
        m_store.markUidlsGone(m_account.id, deleted);
        tx.commit();
    }
    m_store.recount(inbox);
    return report;
}

} // namespace heron::sync
