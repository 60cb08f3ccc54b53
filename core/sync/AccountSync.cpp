#include "sync/AccountSync.h"

#include "net/ImapResponse.h"

#include <algorithm>

namespace heron::sync {

AccountSync::AccountSync(store::MailStore &store, const Profile &profile, AccountConfig account, QString password,
                         net::CancelFlag cancel)
    : m_store(store), m_profile(profile), m_account(std::move(account)), m_password(std::move(password)),
      m_cancel(cancel ? std::move(cancel) : std::make_shared<std::atomic_bool>(false)) {}

AccountSync::~AccountSync() { disconnect(); }

net::ImapSession &AccountSync::session()
{
    if (!m_session || !m_session->isConnected()) {
        m_session = std::make_unique<net::ImapSession>(m_account, m_password, m_profile.trustPolicy(), m_cancel);
        if (m_log) m_log(QStringLiteral("connecting to %1:%2").arg(m_account.incoming.host).arg(m_account.incoming.port));
        m_session->connect();
    }
    return *m_session;
}

void AccountSync::disconnect()
{
    if (m_session) m_session->logout();
    m_session.reset();
}

AccountSyncReport AccountSync::run(const QString &folder)
{
    AccountSyncReport report;
    net::ImapSession &s = session();
    ImapSync sync(m_store, s, m_account.id);
    sync.setBatch(m_rest);
    sync.setFirstBatch(m_first);
    if (m_progress) sync.setProgress(m_progress);

    // Queued changes reach the server before its folder list or any folder
    // is read back: a folder created or renamed here is on the server before
    // LIST could contradict it, and flags set here are not overwritten.
    if (m_replay)
        report.opsReplayed = std::max(0, sync.replayPending(30000, m_cancel));
    sync.syncFolderList();
    if (m_foldersListed) m_foldersListed();

    std::vector<MailboxRecord> boxes = m_store.mailboxes(m_account.id);
    // INBOX first: it is what the user looks at.
    std::stable_sort(boxes.begin(), boxes.end(), [](const MailboxRecord &a, const MailboxRecord &b) {
        return (a.specialUse == QLatin1String("\\Inbox")) > (b.specialUse == QLatin1String("\\Inbox"));
    });
    bool found = folder.isEmpty();
    for (const MailboxRecord &mb : boxes) {
        if (!mb.selectable) continue;
        const QString display = net::decodeMailboxName(mb.name.toLatin1());
        if (!folder.isEmpty() && display != folder && mb.name != folder) continue;
        found = true;
        if (m_log) m_log(QStringLiteral("syncing %1").arg(display));
        MailboxSyncResult r;
        try {
            r = sync.syncMailbox(mb.id);
            m_store.setMailboxError(mb.id, QString());
        } catch (const net::NetError &e) {
            // One folder that the server refuses (or answers with garbage) is
            // reported on its row and skipped; the others still sync. Losing
            // the connection, the password or the certificate ends the pass.
            if (e.kind() != net::NetError::Server && e.kind() != net::NetError::Protocol) throw;
            m_store.setMailboxError(mb.id, e.message());
            ++report.failedMailboxes;
            report.problems << QStringLiteral("%1: %2").arg(display, e.message());
            if (m_log) m_log(QStringLiteral("%1 could not be synchronised: %2").arg(display, e.message()));
            if (m_folderFailed) m_folderFailed(mb.id, e.message());
            if (!folder.isEmpty()) throw;
            if (e.kind() == net::NetError::Protocol) {
                // The connection is no longer usable after a protocol error.
                m_session.reset();
                sync.setSession(session());
            }
            continue;
        }
        ++report.mailboxes;
        report.added += r.added;
        report.removed += r.removed;
        report.flagsChanged += r.flagsChanged;
        if (r.wasReset && m_log) m_log(QStringLiteral("%1 was reset on the server; its cache was rebuilt").arg(display));
    }
    if (!found)
        throw net::NetError(net::NetError::Server, QStringLiteral("no folder named %1").arg(folder));
    return report;
}

} // namespace heron::sync
