#include "FolderModel.h"
#include "PlainText.h"

#include "ItemRoles.h"
#include "net/ImapResponse.h"
#include "store/MailStore.h"

#include <QIcon>

#include <algorithm>
#include <map>

namespace heron::ui {

namespace {
int roleRank(const QString &specialUse)
{
    static const char *order[] = {"\\Inbox", "\\Drafts", "\\Sent", "\\Archive", "\\Junk", "\\Trash"};
    for (int i = 0; i < 6; ++i)
        if (specialUse == QLatin1String(order[i])) return i;
    return 100;
}
} // namespace

FolderModel::FolderModel(store::MailStore *store, QObject *parent) : QStandardItemModel(parent), m_store(store)
{
    setHorizontalHeaderLabels({tr("Folders")});
}

QIcon FolderModel::iconFor(const QString &specialUse)
{
    static const std::map<QString, QString> icons = {
        {QStringLiteral("\\Inbox"), QStringLiteral(":/icons/inbox.svg")},
        {QStringLiteral("\\Sent"), QStringLiteral(":/icons/sent.svg")},
        {QStringLiteral("\\Drafts"), QStringLiteral(":/icons/drafts.svg")},
        {QStringLiteral("\\Trash"), QStringLiteral(":/icons/trash.svg")},
        {QStringLiteral("\\Junk"), QStringLiteral(":/icons/junk.svg")},
        {QStringLiteral("\\Archive"), QStringLiteral(":/icons/archive.svg")},
        {QStringLiteral("\\Outbox"), QStringLiteral(":/icons/outbox.svg")},
    };
    auto it = icons.find(specialUse);
    return QIcon(it == icons.end() ? QStringLiteral(":/icons/folder.svg") : it->second);
}

QString FolderModel::displayName(const QString &rawName, const QString &delimiter, const QString &specialUse)
{
    if (specialUse == QLatin1String("\\Inbox")) return tr("Inbox");
    QString name = net::decodeMailboxName(rawName.toLatin1());
    if (!delimiter.isEmpty()) name = name.section(delimiter, -1);
    return name;
}

void FolderModel::applyCounts(QStandardItem *item, int unread, int total)
{
    const QString base = item->data(Qt::UserRole + 100).toString();
    item->setText(unread > 0 ? QStringLiteral("%1 (%2)").arg(base).arg(unread) : base);
    QFont f = item->font();
    f.setBold(unread > 0);
    item->setFont(f);
    item->setData(unread, UnreadCountRole);
    item->setToolTip(plainToolTip(tr("%1: %2 messages, %3 unread").arg(base).arg(total).arg(unread)));
}

QModelIndex FolderModel::indexForSavedSearch(qint64 searchId) const
{
    for (int r = 0; r < rowCount(); ++r) {
        QStandardItem *top = item(r);
        if (top->data(SpecialUseRole).toString() != QLatin1String("\\SavedSearches")) continue;
        for (int c = 0; c < top->rowCount(); ++c)
            if (top->child(c)->data(SavedSearchIdRole).toLongLong() == searchId) return top->child(c)->index();
    }
    return {};
}

void FolderModel::reload()
{
    clear();
    setHorizontalHeaderLabels({tr("Folders")});
    // With several accounts, one list of every Inbox first.
    if (inboxIds().size() > 1) {
        auto *all = new QStandardItem(iconFor(QStringLiteral("\\Inbox")), tr("All Inboxes"));
        all->setData(tr("All Inboxes"), Qt::UserRole + 100);
        all->setData(qint64(0), AccountIdRole);
        all->setData(qint64(-2), MailboxIdRole);
        all->setData(QStringLiteral("\\AllInboxes"), SpecialUseRole);
        all->setEditable(false);
        all->setDropEnabled(false);
        appendRow(all);
        updateUnifiedCount();
    }
    for (const AccountConfig &acc : m_store->accounts()) {
        auto *accItem = new QStandardItem(QIcon(QStringLiteral(":/icons/account.svg")), acc.name);
        QFont f = accItem->font();
        f.setBold(true);
        accItem->setFont(f);
        accItem->setData(qint64(acc.id), AccountIdRole);
        accItem->setData(qint64(0), MailboxIdRole);
        accItem->setEditable(false);
        accItem->setDropEnabled(false);
        applyProblem(accItem);
        appendRow(accItem);

        std::vector<MailboxRecord> boxes = m_store->mailboxes(acc.id);
        // Folders the user chose for a role (Account Settings) win over the server's SPECIAL-USE.
        for (const char *roleName : {"\\Sent", "\\Drafts", "\\Trash", "\\Archive", "\\Junk"}) {
            const QString role = QString::fromLatin1(roleName);
            const QString chosen = m_store->folderRoleChoice(acc.id, role);
            if (chosen.isEmpty() || std::none_of(boxes.begin(), boxes.end(), [&](const MailboxRecord &b) { return b.name == chosen; }))
                continue;
            for (MailboxRecord &b : boxes) {
                if (b.name == chosen) b.specialUse = role;
                else if (b.specialUse == role) b.specialUse.clear();
            }
        }
        std::sort(boxes.begin(), boxes.end(), [](const MailboxRecord &a, const MailboxRecord &b) {
            int ra = roleRank(a.specialUse), rb = roleRank(b.specialUse);
            if (ra != rb) return ra < rb;
            return net::decodeMailboxName(a.name.toLatin1()).compare(net::decodeMailboxName(b.name.toLatin1()),
                                                                       Qt::CaseInsensitive) < 0;
        });
        std::map<QString, QStandardItem *> byName;
        // Parents before children: process by depth.
        std::stable_sort(boxes.begin(), boxes.end(), [](const MailboxRecord &a, const MailboxRecord &b) {
            int da = a.delimiter.isEmpty() ? 0 : int(a.name.count(a.delimiter));
            int db = b.delimiter.isEmpty() ? 0 : int(b.name.count(b.delimiter));
            return da < db;
        });
        for (const MailboxRecord &mb : boxes) {
            const QString base = displayName(mb.name, mb.delimiter, mb.specialUse);
            auto *item = new QStandardItem(iconFor(mb.specialUse), base);
            item->setData(base, Qt::UserRole + 100);
            item->setData(qint64(acc.id), AccountIdRole);
            item->setData(qint64(mb.id), MailboxIdRole);
            item->setData(mb.name, RawMailboxNameRole);
            item->setData(mb.specialUse, SpecialUseRole);
            item->setEditable(false);
            if (!mb.selectable) item->setForeground(QColor(0x80, 0x80, 0x80));
            applyCounts(item, mb.unreadCount, mb.totalCount);
            applyFolderError(item, mb);
            QStandardItem *parent = accItem;
            if (!mb.delimiter.isEmpty() && mb.name.contains(mb.delimiter)) {
                auto it = byName.find(mb.name.section(mb.delimiter, 0, -2));
                if (it != byName.end()) parent = it->second;
            }
            parent->appendRow(item);
            byName[mb.name] = item;
        }
        // The Outbox shows while something waits in it (sending happens in the background).
        int waiting = 0;
        {
            auto q = m_store->db().prepare("SELECT COUNT(*) FROM outbox WHERE account_id=? AND state NOT LIKE 'draft%'");
            q.bind(1, acc.id);
            if (q.step()) waiting = q.integer(0);
        }
        if (waiting > 0) {
            auto *item = new QStandardItem(iconFor(QStringLiteral("\\Outbox")), tr("Outbox (%1)").arg(waiting));
            item->setData(tr("Outbox"), Qt::UserRole + 100);
            item->setData(qint64(acc.id), AccountIdRole);
            item->setData(qint64(-1), MailboxIdRole);
            item->setData(QStringLiteral("\\Outbox"), SpecialUseRole);
            item->setEditable(false);
            item->setDropEnabled(false);
            accItem->insertRow(std::min(3, accItem->rowCount()), item);
        }
    }
    // Saved searches: virtual folders over every account, last.
    const auto searches = m_store->savedSearches();
    if (!searches.empty()) {
        auto *group = new QStandardItem(QIcon(QStringLiteral(":/icons/search.svg")), tr("Saved Searches"));
        QFont f = group->font();
        f.setBold(true);
        group->setFont(f);
        group->setData(tr("Saved Searches"), Qt::UserRole + 100);
        group->setData(qint64(0), AccountIdRole);
        group->setData(qint64(0), MailboxIdRole);
        group->setData(QStringLiteral("\\SavedSearches"), SpecialUseRole);
        group->setEditable(false);
        group->setDropEnabled(false);
        for (const auto &search : searches) {
            auto *item = new QStandardItem(QIcon(QStringLiteral(":/icons/search.svg")), search.name);
            item->setData(search.name, Qt::UserRole + 100);
            item->setData(qint64(0), AccountIdRole);
            item->setData(qint64(-4), MailboxIdRole); // MessageListModel::kSearch
            item->setData(QStringLiteral("\\SavedSearch"), SpecialUseRole);
            item->setData(search.query, SavedQueryRole);
            item->setData(qint64(search.id), SavedSearchIdRole);
            item->setToolTip(plainToolTip(search.query));
            item->setEditable(false);
            item->setDropEnabled(false);
            group->appendRow(item);
        }
        appendRow(group);
    }
}

QModelIndex FolderModel::outboxFor(qint64 accountId) const
{
    for (const QModelIndex &i : match(index(0, 0), SpecialUseRole, QStringLiteral("\\Outbox"), -1, Qt::MatchExactly | Qt::MatchRecursive))
        if (i.data(AccountIdRole).toLongLong() == accountId) return i;
    return QModelIndex();
}

QModelIndex FolderModel::indexForMailbox(qint64 mailboxId) const
{
    QModelIndexList hits = match(index(0, 0), MailboxIdRole, mailboxId, 1, Qt::MatchExactly | Qt::MatchRecursive);
    return hits.isEmpty() ? QModelIndex() : hits.first();
}

QModelIndex FolderModel::firstInbox() const
{
    QModelIndexList hits = match(index(0, 0), SpecialUseRole, QStringLiteral("\\Inbox"), 1,
                                 Qt::MatchExactly | Qt::MatchRecursive);
    return hits.isEmpty() ? QModelIndex() : hits.first();
}

std::vector<int64_t> FolderModel::inboxIds() const
{
    std::vector<int64_t> out;
    for (const AccountConfig &a : m_store->accounts())
        if (auto in = m_store->mailboxByRole(a.id, QStringLiteral("\\Inbox"))) out.push_back(in->id);
    return out;
}

void FolderModel::applyProblem(QStandardItem *item)
{
    const QString problem = m_problems.value(item->data(AccountIdRole).toLongLong());
    item->setIcon(QIcon(problem.isEmpty() ? QStringLiteral(":/icons/account.svg") : QStringLiteral(":/icons/status-error.svg")));
    item->setToolTip(plainToolTip(problem));
}

void FolderModel::setAccountProblem(qint64 accountId, const QString &problem)
{
    if (m_problems.value(accountId) == problem) return;
    if (problem.isEmpty()) m_problems.remove(accountId);
    else m_problems.insert(accountId, problem);
    for (int r = 0; r < rowCount(); ++r) {
        QStandardItem *it = item(r);
        if (it->data(AccountIdRole).toLongLong() == accountId && it->data(MailboxIdRole).toLongLong() == 0) applyProblem(it);
    }
}

void FolderModel::updateUnifiedCount()
{
    QModelIndexList hits = match(index(0, 0), SpecialUseRole, QStringLiteral("\\AllInboxes"), 1, Qt::MatchExactly);
    if (hits.isEmpty()) return;
    int unread = 0, total = 0;
    for (int64_t id : inboxIds())
        if (auto mb = m_store->mailbox(id)) {
            unread += mb->unreadCount;
            total += mb->totalCount;
        }
    applyCounts(itemFromIndex(hits.first()), unread, total);
}

void FolderModel::updateCounts(qint64 mailboxId)
{
    updateUnifiedCount();
    QModelIndex idx = indexForMailbox(mailboxId);
    if (!idx.isValid()) return;
    auto mb = m_store->mailbox(mailboxId);
    if (!mb) return;
    applyCounts(itemFromIndex(idx), mb->unreadCount, mb->totalCount);
    applyFolderError(itemFromIndex(idx), *mb);
}

void FolderModel::applyFolderError(QStandardItem *item, const MailboxRecord &mb)
{
    // A folder whose last sync failed says so on its row (the others synced).
    const bool failed = !mb.syncError.isEmpty();
    if (item->data(FolderErrorRole).toString() == mb.syncError) return;
    item->setData(mb.syncError, FolderErrorRole);
    item->setIcon(failed ? QIcon(QStringLiteral(":/icons/status-error.svg")) : iconFor(mb.specialUse));
    item->setToolTip(failed ? plainToolTip(tr("This folder could not be synchronised: %1").arg(mb.syncError)) : QString());
}

} // namespace heron::ui
