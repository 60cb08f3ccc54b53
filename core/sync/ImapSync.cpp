#include "sync/ImapSync.h"

#include "store/Lease.h"
#include "util/CrashPoint.h"

#include <algorithm>
#include <map>

namespace heron::sync {

namespace {
// server_exists while a sync that lists UIDs is under way: matches no EXISTS.
constexpr uint32_t kExistsUnknown = 0xFFFFFFFFu;
} // namespace

using net::NetError;
using store::Transaction;

ImapSync::ImapSync(store::MailStore &store, net::ImapSession &session, int64_t accountId)
    : m_store(store), m_session(&session), m_accountId(accountId) {}

void ImapSync::syncFolderList()
{
    std::vector<store::FolderUpdate> folders;
    for (const net::ImapFolderInfo &f : m_session->listFolders()) {
        store::FolderUpdate u;
        u.name = f.name;
        u.rawName = f.rawName;
        u.delimiter = f.delimiter;
        u.specialUse = f.specialUse;
        u.attributes = f.attributes.join(QLatin1Char(' '));
        u.selectable = f.selectable;
        folders.push_back(u);
    }
    m_store.updateFolders(m_accountId, folders);
}

std::set<uint32_t> ImapSync::uidsWithPendingOps(const QString &mailbox)
{
    std::set<uint32_t> out;
    for (const store::PendingOp &op : m_store.pendingOps(m_accountId))
        if (op.mailbox == mailbox)
            out.insert(op.uids.begin(), op.uids.end());
    return out;
}

void ImapSync::fetchAndStore(int64_t mailboxId, uint32_t uidvalidity, const std::vector<uint32_t> &uids,
                             const std::set<uint32_t> &skip, uint32_t uidnextToRecord, int *added)
{
    std::vector<MessageRecord> batch;
    batch.reserve(uids.size());
    m_session->fetchHeaders(uids, [&](MessageRecord &&m) {
        if (!skip.count(m.uid)) batch.push_back(std::move(m));
    });
    storeBatch(mailboxId, uidvalidity, batch, uidnextToRecord, added);
}

void ImapSync::storeBatch(int64_t mailboxId, uint32_t uidvalidity, const std::vector<MessageRecord> &batch,
                          uint32_t uidnextToRecord, int *added)
{
    Transaction tx(m_store.db());
    m_store.insertMessages(mailboxId, uidvalidity, batch);
    if (uidnextToRecord) {
        auto mb = m_store.mailbox(mailboxId);
        m_store.setMailboxSyncState(mailboxId, uidvalidity, uidnextToRecord, mb ? mb->highestModSeq : 0);
        m_store.recount(mailboxId); // last batch: exact counts
    } else {
        // Counting a 100k mailbox after every batch would dominate the sync:
        // add this batch's numbers instead (new UIDs only, so no double counting).
        int unread = 0;
        for (const MessageRecord &m : batch)
            if (!(m.flags & (Flag::Seen | Flag::Deleted))) ++unread;
        m_store.addToCounts(mailboxId, int(batch.size()), unread);
    }
    tx.commit();
    HERON_CRASH_POINT("sync-batch-stored");
    *added += int(batch.size());
}

MailboxSyncResult ImapSync::syncMailbox(int64_t mailboxId)
{
    MailboxSyncResult result;
    auto mb = m_store.mailbox(mailboxId);
    if (!mb || !mb->selectable)
        return result;
    const QByteArray raw = mb->name.toLatin1();
    // With QRESYNC, the SELECT itself says what changed since the last
    // complete sync (not after an interrupted one: its marks are not trusted).
    const bool lastComplete = mb->serverExists != kExistsUnknown && mb->uidnext > 0;
    const net::ImapSelectInfo info =
        m_session->select(raw, lastComplete ? mb->uidvalidity : 0, lastComplete ? mb->highestModSeq : 0);

    if (mb->uidvalidity != 0 && mb->uidvalidity != info.uidvalidity) {
        Transaction tx(m_store.db());
        m_store.resetMailbox(mailboxId, info.uidvalidity);
        tx.commit();
        result.wasReset = true;
        mb = m_store.mailbox(mailboxId);
    }

    std::vector<uint32_t> cached = m_store.cachedUids(mailboxId);
    const std::set<uint32_t> skip = uidsWithPendingOps(mb->name);
    bool deferModSeq = false; // un-deleted elsewhere: the new MODSEQ once they are fetched
    bool keepModSeq = false;  // vanished with a change queued here: the old MODSEQ stays
    // Nothing new and nothing expunged since the last complete sync: no UID
    // listing. EXISTS is compared with what it was at the end of that sync,
    // not with the cache (it also counts messages flagged \Deleted, which the
    // cache leaves out, and local moves not replayed yet).
    const bool unchanged = !result.wasReset && mb->uidvalidity == info.uidvalidity && mb->uidnext == info.uidnext &&
                           mb->uidnext != 0 && mb->serverExists == info.exists;
    std::vector<uint32_t> missing; // newest first
    std::vector<uint32_t> gone;
    // QRESYNC: expunged UIDs from VANISHED (EARLIER), new ones from a search
    // above the known UIDNEXT; no listing of the whole folder.
    bool quick = info.qresync && !result.wasReset && mb->uidvalidity == info.uidvalidity;
    if (quick) {
        // Until this sync is complete, the next one lists in full (its marks
        // are not trusted after a crash between the first batch and the
        // deletions).
        if (!unchanged || !info.vanished.empty()) m_store.setServerExists(mailboxId, kExistsUnknown);
        // VANISHED is applied whatever UIDNEXT and EXISTS say (an expunge and
        // an arrival leave both as they were). A vanished message with a
        // queued change waits for it; the MODSEQ that reported it is then
        // kept, so that the next sync hears of it again.
        for (uint32_t u : cached) {
            if (!info.isVanished(u)) continue;
            if (skip.count(u)) keepModSeq = true;
            else gone.push_back(u);
        }
        if (info.uidnext > mb->uidnext) {
            std::vector<uint32_t> fresh = m_session->searchUidsFrom(mb->uidnext);
            for (auto it = fresh.rbegin(); it != fresh.rend(); ++it)
                if (!std::binary_search(cached.begin(), cached.end(), *it)) missing.push_back(*it);
        }
        // A server whose answer does not add up (more cached than it holds),
        // or that says most of the folder vanished at once (a mass expunge,
        // or a broken server: emptying the cache on its word alone is not
        // done): the full listing decides.
        const bool massExpunge = gone.size() > 100 && gone.size() * 2 > cached.size();
        if (massExpunge || cached.size() - gone.size() + missing.size() > size_t(info.exists)) {
            quick = false;
            gone.clear();
            missing.clear();
            keepModSeq = false;
        }
    }
    if (!unchanged && !quick) {
        // Until this sync is complete, the next one lists again, whatever is
        // recorded before a crash (UIDNEXT comes with the last batch, which may
        // be committed before the deletions).
        m_store.setServerExists(mailboxId, kExistsUnknown);
        std::vector<uint32_t> server = info.exists ? m_session->searchAllUids() : std::vector<uint32_t>{};
        std::set_difference(server.rbegin(), server.rend(), cached.rbegin(), cached.rend(), std::back_inserter(missing),
                            std::greater<uint32_t>());
        std::set_difference(cached.begin(), cached.end(), server.begin(), server.end(), std::back_inserter(gone));
        gone.erase(std::remove_if(gone.begin(), gone.end(), [&](uint32_t u) { return skip.count(u) > 0; }), gone.end());
    }
    const int serverTotal = int(info.exists);
    result.total = serverTotal;

    // 2. First screen.
    size_t pos = 0;
    if (!missing.empty()) {
        size_t n = std::min(missing.size(), size_t(m_firstBatch));
        std::vector<uint32_t> first(missing.begin(), missing.begin() + qsizetype(n));
        pos = n;
        fetchAndStore(mailboxId, info.uidvalidity, first, skip, pos == missing.size() ? info.uidnext : 0, &result.added);
        if (m_progress) m_progress(mailboxId, int(cached.size()) + result.added, serverTotal);
    }

    // 3. Deletions.
    if (!gone.empty()) {
        Transaction tx(m_store.db());
        m_store.deleteUids(mailboxId, gone);
        m_store.recount(mailboxId);
        tx.commit();
        result.removed = int(gone.size());
    }

    // 4. Flags of what was cached before, with the HIGHESTMODSEQ that covers them.
    if (!cached.empty()) {
        const bool condstore = m_session->hasCapability("CONDSTORE") && info.highestModSeq > 0;
        const bool needed = !condstore || mb->highestModSeq == 0 || mb->highestModSeq != info.highestModSeq;
        if (needed) {
            std::vector<std::pair<uint32_t, int>> updates;
            if (quick) {
                // Reported in the SELECT already (new messages among them).
                const std::set<uint32_t> fresh(missing.begin(), missing.end());
                for (const auto &[uid, flags] : info.changed)
                    if (!skip.count(uid) && !fresh.count(uid)) updates.emplace_back(uid, flags);
            } else {
                m_session->fetchFlags(condstore ? mb->highestModSeq : 0, [&](uint32_t uid, int flags) {
                    if (!skip.count(uid)) updates.emplace_back(uid, flags);
                });
            }
            Transaction tx(m_store.db());
            // A change the user made while the flags were on their way is
            // newer than them: leave those messages to the queue.
            const std::set<uint32_t> changedMeanwhile = m_store.uidsWithQueuedOps(m_accountId, mb->name);
            if (!changedMeanwhile.empty())
                updates.erase(std::remove_if(updates.begin(), updates.end(),
                                             [&](const auto &u) { return changedMeanwhile.count(u.first) > 0; }),
                              updates.end());
            result.flagsChanged = m_store.updateFlags(mailboxId, updates);
            // Flagged \Deleted elsewhere: gone from the view, as a search would say.
            // Un-deleted elsewhere (not cached, no longer \Deleted): fetched below,
            // and the HIGHESTMODSEQ that reported them is kept until they are.
            std::vector<uint32_t> deletedElsewhere;
            const std::set<uint32_t> alreadyMissing(missing.begin(), missing.end());
            for (const auto &[uid, flags] : updates) {
                if (flags & Flag::Deleted) deletedElsewhere.push_back(uid);
                else if (!std::binary_search(cached.begin(), cached.end(), uid) && !alreadyMissing.count(uid)) {
                    missing.push_back(uid); // cached is ascending
                    deferModSeq = true;
                }
            }
            if (!deletedElsewhere.empty()) {
                m_store.deleteUids(mailboxId, deletedElsewhere);
                result.removed += int(deletedElsewhere.size());
            }
            auto now = m_store.mailbox(mailboxId);
            m_store.setMailboxSyncState(mailboxId, info.uidvalidity, now->uidnext,
                                        deferModSeq || keepModSeq ? mb->highestModSeq : info.highestModSeq);
            m_store.recount(mailboxId);
            tx.commit();
        }
    } else if (missing.empty()) {
        Transaction tx(m_store.db());
        m_store.setMailboxSyncState(mailboxId, info.uidvalidity, info.uidnext, info.highestModSeq);
        m_store.recount(mailboxId);
        tx.commit();
    } else {
        Transaction tx(m_store.db());
        auto now = m_store.mailbox(mailboxId);
        m_store.setMailboxSyncState(mailboxId, info.uidvalidity, now->uidnext, info.highestModSeq);
        tx.commit();
    }

    // Views learn about deletions and flag changes (from other devices) too.
    if ((result.removed > 0 || result.flagsChanged > 0) && m_progress)
        m_progress(mailboxId, int(cached.size()) + result.added - result.removed, serverTotal);

    // 5. Backfill, pipelined: the next batch is asked for before this one is
    // stored, so the server prepares it while we write.
    auto nextChunk = [&] {
        const size_t n = std::min(missing.size() - pos, size_t(m_batch));
        std::vector<uint32_t> chunk(missing.begin() + qsizetype(pos), missing.begin() + qsizetype(pos + n));
        pos += n;
        return m_session->startFetchHeaders(chunk);
    };
    QByteArray tag = pos < missing.size() ? nextChunk() : QByteArray();
    std::vector<MessageRecord> batch;
    while (!tag.isEmpty()) {
        batch.clear();
        m_session->finishFetchHeaders(tag, [&](MessageRecord &&m) {
            if (!skip.count(m.uid)) batch.push_back(std::move(m));
        });
        const bool last = pos == missing.size();
        tag = last ? QByteArray() : nextChunk();
        storeBatch(mailboxId, info.uidvalidity, batch, last ? info.uidnext : 0, &result.added);
        if (m_progress) m_progress(mailboxId, int(cached.size()) + result.added - result.removed, serverTotal);
    }
    if (deferModSeq && !keepModSeq) {
        auto now = m_store.mailbox(mailboxId);
        m_store.setMailboxSyncState(mailboxId, info.uidvalidity, now->uidnext, info.highestModSeq);
    }
    m_store.setServerExists(mailboxId, info.exists); // complete: the next sync may skip the listing
    return result;
}

void ImapSync::replayCopy(const store::PendingOp &op, bool move)
{
    // Order is important: "copying" is on disk before COPY goes out, "copied"
    // after its OK; the \Deleted + UID EXPUNGE of a move come last and are
    // harmless to repeat. A crash between COPY and "copied" is the only case
    // where replay cannot know what the server did: it then asks the
    // destination which of the messages (by Message-ID) are already there.
    const QByteArray source = op.mailbox.toLatin1();
    const QByteArray dest = op.arg.toLatin1();
    if (op.progress != QLatin1String("copied")) {
        std::vector<uint32_t> uids = op.uids;
        if (op.progress == QLatin1String("copying")) uids = notYetCopied(source, dest, uids);
        m_store.setOpProgress(op.id, QStringLiteral("copying"));
        HERON_CRASH_POINT("replay-copy-marked");
        m_session->copyMessages(uids, dest);
        HERON_CRASH_POINT("replay-copy-done");
        m_store.setOpProgress(op.id, QStringLiteral("copied"));
    }
    if (move) m_session->expungeUids(op.uids);
}

std::vector<uint32_t> ImapSync::notYetCopied(const QByteArray &source, const QByteArray &dest,
                                             const std::vector<uint32_t> &uids)
{
    std::map<uint32_t, QByteArray> ids; // source UID -> Message-ID
    for (const QByteArray &set : net::ImapSession::uidSets(uids)) {
        m_session->command("UID FETCH " + set + " (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", [&](const net::ImapResponse &r) {
            if (r.items.size() < 3 || !r.items[1].atomIs("FETCH") || !r.items[2].isList()) return;
            uint32_t uid = 0;
            QByteArray mid;
            const auto &kv = r.items[2].items;
            for (size_t i = 0; i + 1 < kv.size(); i += 2) {
                if (kv[i].atomIs("UID")) uid = uint32_t(kv[i + 1].number());
                else if (kv[i].type == net::ImapValue::Atom && kv[i].text.toUpper().startsWith("BODY[HEADER.FIELDS")) {
                    const QByteArray h = kv[i + 1].text;
                    const qsizetype lt = h.indexOf('<'), gt = h.indexOf('>', lt);
                    if (lt >= 0 && gt > lt) mid = h.mid(lt, gt - lt + 1);
                }
            }
            if (uid && !mid.isEmpty()) ids[uid] = mid;
        });
    }
    std::set<uint32_t> present;
    if (!ids.empty()) {
        m_session->select(dest);
        for (const auto &[uid, mid] : ids) {
            bool found = false;
            // UNDELETED: an old copy flagged \Deleted (an earlier move) does not count.
            m_session->command("UID SEARCH UNDELETED HEADER Message-ID " + net::quoteImapString(mid), [&](const net::ImapResponse &r) {
                if (!r.items.empty() && r.items[0].atomIs("SEARCH") && r.items.size() > 1) found = true;
            });
            if (found) present.insert(uid);
        }
        m_session->select(source); // back where the operation works
    }
    // Without a Message-ID a message cannot be recognised: it is copied (at
    // worst a duplicate, never a loss).
    std::vector<uint32_t> out;
    for (uint32_t u : uids)
        if (!present.count(u)) out.push_back(u);
    return out;
}

int ImapSync::replayPending(int waitMs, const std::shared_ptr<std::atomic_bool> &cancel)
{
    store::Lease lease(m_store.db(), QStringLiteral("replay:%1").arg(m_accountId), waitMs, cancel);
    if (!lease.held()) return -1;
    int done = 0;
    uint32_t selectedValidity = 0;
    QByteArray selectedHere;
    // Rounds: what the user queued while the previous round ran goes next,
    // still in order and still under the lease.
    for (int round = 0; round < 20; ++round) {
    const std::vector<store::PendingOp> ops = m_store.pendingOps(m_accountId);
    if (ops.empty()) break;
    for (const store::PendingOp &op : ops) {
        const QByteArray mailbox = op.mailbox.toLatin1();
        try {
            if (op.kind == QLatin1String("create")) {
                m_session->createFolder(mailbox);
            } else if (op.kind == QLatin1String("rename")) {
                m_session->renameFolder(mailbox, op.arg.toLatin1());
            } else if (op.kind == QLatin1String("delete-folder")) {
                m_session->deleteFolder(mailbox);
                selectedHere.clear();
            } else {
                if (selectedHere != mailbox) {
                    selectedHere.clear();
                    selectedValidity = m_session->select(mailbox).uidvalidity;
                    selectedHere = mailbox;
                }
                if (selectedValidity != op.uidvalidity) {
                    m_store.failOp(op.id, QStringLiteral("The folder was reset on the server; the change was "
                                                         "not applied to the new messages."));
                    continue;
                }
                if (op.kind == QLatin1String("flags+") || op.kind == QLatin1String("flags-"))
                    m_session->storeFlags(op.uids, op.arg.toInt(), op.kind == QLatin1String("flags+"));
                else if (op.kind == QLatin1String("move") && m_session->hasCapability("MOVE"))
                    m_session->moveMessages(op.uids, op.arg.toLatin1()); // atomic; a replay finds nothing left to move
                else if (op.kind == QLatin1String("move") || op.kind == QLatin1String("copy")) {
                    replayCopy(op, op.kind == QLatin1String("move"));
                    selectedHere = m_session->selected();
                }
                else if (op.kind == QLatin1String("expunge"))
                    m_session->expungeUids(op.uids);
                else {
                    m_store.failOp(op.id, QStringLiteral("unknown operation %1").arg(op.kind));
                    continue;
                }
            }
            HERON_CRASH_POINT("replay-applied");
            m_store.completeOp(op.id);
            ++done;
        } catch (const NetError &e) {
            if (e.kind() != NetError::Server)
                throw;
            m_store.failOp(op.id, e.message());
            selectedHere.clear(); // the refused command may have left another mailbox selected
        }
    }
    }
    return done;
}

} // namespace heron::sync
