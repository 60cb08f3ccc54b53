#include "sync/BodySync.h"

#include "search/SearchIndex.h"
#include "util/CrashPoint.h"

#include <QDateTime>

#include <deque>
#include <future>
#include <optional>
#include <map>

namespace heron::sync {

using store::MailStore;

BodySync::BodySync(store::MailStore &store, const AccountConfig &account) : m_store(store), m_account(account) {}

BodySyncReport BodySync::run(qint64 deadlineMs)
{
    BodySyncReport report;
    const int64_t now = QDateTime::currentSecsSinceEpoch();
    auto pastDeadline = [&] { return deadlineMs > 0 && QDateTime::currentMSecsSinceEpoch() >= deadlineMs; };
    if (!m_swept) {
        report.evicted = m_store.evictBodies(m_account.id, now);
        m_store.purgeBodyFiles(true);
        m_swept = true;
    }
    // What the header sync stored joins the index first (searchable at
    // once), in big batches; then the bodies come.
    for (int n; (n = search::indexPending(m_store, 5000)) > 0;) {
        report.indexed += n;
        if (pastDeadline()) return report;
    }
    if (m_total < 0) m_total = m_store.bodiesWantedCount(m_account.id, m_account.maxMessageBytes(), now);
    while (!pastDeadline()) {
        std::vector<MailStore::BodyWanted> wanted;
        // Asked for past the ones known to be unavailable, so that these never
        // hide the rest (nor make the download look complete).
        const int limit = 1000 + int(std::min<size_t>(m_unavailable.size(), 1'000'000));
        for (const MailStore::BodyWanted &w :
             m_store.bodiesWanted(m_account.id, m_account.maxMessageBytes(), limit, now, m_refusedFolders))
            if (!m_unavailable.count(w.id) && wanted.size() < 1000) wanted.push_back(w);
        if (wanted.empty()) {
            report.complete = true;
            break;
        }
        // Folder by folder, in the order of their newest wanted message.
        std::vector<int64_t> order;
        std::map<int64_t, std::vector<MailStore::BodyWanted>> groups;
        for (const MailStore::BodyWanted &w : wanted) {
            if (!groups.count(w.mailboxId)) order.push_back(w.mailboxId);
            groups[w.mailboxId].push_back(w);
        }
        for (int64_t mailboxId : order) {
            fetchGroup(mailboxId, groups[mailboxId], deadlineMs, &report, m_total);
            if (pastDeadline()) break;
        }
    }
    m_store.purgeBodyFiles(false);
    report.remaining = report.complete ? 0 : m_store.bodiesWantedCount(m_account.id, m_account.maxMessageBytes(), now);
    return report;
}

void BodySync::fetchGroup(int64_t mailboxId, const std::vector<MailStore::BodyWanted> &group, qint64 deadlineMs,
                          BodySyncReport *report, int64_t total)
{
    auto mb = m_store.mailbox(mailboxId);
    if (!mb) return;
    net::ImapSelectInfo info;
    try {
        info = m_session->selected() == mb->name.toLatin1() ? net::ImapSelectInfo::alreadySelected(mb->uidvalidity) : m_session->select(mb->name.toLatin1());
    } catch (const net::NetError &e) {
        if (e.kind() != net::NetError::Server) throw;
        m_refusedFolders.insert(mailboxId); // the folder is refused: its sync says why
        return;
    }
    // Batches of a few MB; one message bigger than that goes alone.
    std::vector<std::vector<const MailStore::BodyWanted *>> batches;
    int64_t bytes = 0;
    for (const MailStore::BodyWanted &w : group) {
        if (w.uidvalidity != info.uidvalidity) {
            m_unavailable.insert(w.id); // the folder was reset: its next sync rebuilds it
            continue;
        }
        if (batches.empty() || int(batches.back().size()) >= m_batchMessages || bytes + w.size > m_batchBytes) {
            batches.emplace_back();
            bytes = 0;
        }
        batches.back().push_back(&w);
        bytes += w.size;
    }
    auto pastDeadline = [&] { return deadlineMs > 0 && QDateTime::currentMSecsSinceEpoch() >= deadlineMs; };
    std::deque<std::pair<QByteArray, size_t>> inFlight; // tag, batch index
    // Every UID asked for and not received yet, whichever command asked: a
    // server may run pipelined commands at once (RFC 3501 5.5), so the next
    // command's FETCH responses can come before this one's tagged OK.
    std::map<uint32_t, int64_t> asked;
    size_t next = 0;
    auto send = [&] {
        std::vector<uint32_t> uids;
        for (const auto *w : batches[next]) {
            uids.push_back(w->uid);
            asked[w->uid] = w->id;
        }
        inFlight.emplace_back(m_session->startFetchBodies(uids), next);
        ++next;
    };
    // A batch read, its words being made on another core while the next
    // batch is read, then stored: network, parsing and the write overlap.
    struct Received {
        std::vector<std::pair<int64_t, QByteArray>> got;
        std::future<std::vector<store::BodyText>> texts;
    };
    std::optional<Received> parsing;
    std::map<int64_t, const MailStore::BodyWanted *> byId;
    for (const MailStore::BodyWanted &w : group) byId[w.id] = &w;
    auto store = [&](Received &r) {
        std::vector<store::BodyText> texts = r.texts.get();
        store::Transaction tx(m_store.db());
        for (size_t i = 0; i < r.got.size(); ++i) {
            // Still the message this body is for: deleted meanwhile (another
            // connection), its id may even be another message's now.
            const MailStore::BodyWanted *w = byId.at(r.got[i].first);
            if (!m_store.isSameMessage(w->id, w->mailboxId, w->uid, w->uidvalidity)) continue;
            m_store.storeBody(r.got[i].first, r.got[i].second, &texts[i]);
            report->bytes += r.got[i].second.size();
        }
        tx.commit();
        HERON_CRASH_POINT("bodies-batch-stored");
        report->downloaded += int(r.got.size());
        m_done += int64_t(r.got.size());
        if (m_progress) m_progress(m_done, total);
    };
    // Whatever goes wrong, the commands in flight are read to their end, so
    // that the connection stays in step (the next command's answer is its own).
    auto drain = [&] {
        for (const auto &f : inFlight) {
            try {
                m_session->finishCommand(f.first, "UID FETCH", {}, true);
            } catch (...) {
                break; // the connection is gone: nothing left to keep in step
            }
        }
        inFlight.clear();
    };
    try {
    while (next < batches.size() && inFlight.size() < 2) send();
    while (!inFlight.empty()) {
        const auto [tag, index] = inFlight.front();
        inFlight.pop_front();
        Received r;
        m_session->finishFetchBodies(tag, [&](uint32_t uid, QByteArray &&raw) {
            auto it = asked.find(uid);
            if (it == asked.end() || raw.isEmpty()) return;
            r.got.emplace_back(it->second, std::move(raw));
            asked.erase(it);
        });
        // This command is answered: what it asked for and did not get is
        // not there (expunged on the server meanwhile).
        for (const auto *w : batches[index]) {
            auto it = asked.find(w->uid);
            if (it == asked.end()) continue;
            m_unavailable.insert(it->second);
            asked.erase(it);
        }
        // Asked for before this batch is stored: the server sends while we work.
        if (next < batches.size() && !pastDeadline()) send();
        // QByteArray copies share their data (implicitly shared, thread-safe
        // reference counts): the parser gets its own handles.
        std::vector<QByteArray> raws;
        raws.reserve(r.got.size());
        for (const auto &g : r.got) raws.push_back(g.second);
        const bool indexing = m_indexing;
        r.texts = std::async(std::launch::async, [raws = std::move(raws), indexing] {
            std::vector<store::BodyText> out;
            out.reserve(raws.size());
            for (const QByteArray &raw : raws) {
                try {
                    out.push_back(indexing ? search::textForIndex(raw) : store::BodyText{});
                } catch (...) {
                    out.push_back({}); // unparseable: stored, shown as far as it goes, not indexed
                }
            }
            return out;
        });
        if (parsing) store(*parsing);
        parsing = std::move(r);
    }
    if (parsing) store(*parsing);
    } catch (...) {
        drain();
        throw;
    }
}

} // namespace heron::sync
