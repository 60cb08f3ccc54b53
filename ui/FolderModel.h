#pragma once
// The folder tree of every account: account rows with their folder hierarchy,
// special folders first (Inbox, Drafts, Sent, Archive, Junk, Trash) with
// their icons, unread counts in the label.
// Thread: GUI. Reads the database on the GUI thread (a handful of rows).
#include "store/MessageRecord.h"

#include <QHash>
#include <QStandardItemModel>

namespace heron::store { class MailStore; }

namespace heron::ui {

class FolderModel : public QStandardItemModel {
    Q_OBJECT
public:
    explicit FolderModel(heron::store::MailStore *store, QObject *parent = nullptr);
    void reload();
    // Refreshes the unread/total counts of one folder in place.
    void updateCounts(qint64 mailboxId);
    QModelIndex indexForMailbox(qint64 mailboxId) const;
    QModelIndex firstInbox() const;
    QModelIndex indexForSavedSearch(qint64 searchId) const;
    QModelIndex outboxFor(qint64 accountId) const;
    // The Inbox of every account (for "All Inboxes").
    std::vector<int64_t> inboxIds() const;
    static QString displayName(const QString &rawName, const QString &delimiter, const QString &specialUse);
    static QIcon iconFor(const QString &specialUse);
    // Marks an account row as failing (error icon, the reason as tooltip) or
    // clears it (problem empty). Kept across reloads.
    void setAccountProblem(qint64 accountId, const QString &problem);
    QString accountProblem(qint64 accountId) const { return m_problems.value(accountId); }

private:
    void applyCounts(QStandardItem *item, int unread, int total);
    void updateUnifiedCount();
    void applyProblem(QStandardItem *accountItem);
    void applyFolderError(QStandardItem *item, const heron::MailboxRecord &mb);
    heron::store::MailStore *m_store;
    QHash<qint64, QString> m_problems;
};

} // namespace heron::ui
