#pragma once
// A virtual table over one mailbox of the cache. It holds only the message ids
// in display order (8 bytes per message) and reads rows page by page as the
// view asks for them, so a 100,000-message folder costs a few MB, not 100,000
// row objects. Sorting and the quick filter run in SQLite.
// Thread: GUI.
#include "store/MessageRecord.h"

#include <QAbstractTableModel>

#include <set>
#include <QHash>

#include <vector>

namespace heron::store { class MailStore; }

namespace heron::ui {

class MessageListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StatusColumn, FlagColumn, AttachmentColumn, FromColumn, SubjectColumn, DateColumn, SizeColumn, FolderColumn, ColumnCount };

    explicit MessageListModel(heron::store::MailStore *store, QObject *parent = nullptr);

    void setMailbox(qint64 mailboxId);
    // Several mailboxes in one list (the unified "All Inboxes"); mailbox() is then kUnified.
    void setMailboxes(const std::vector<int64_t> &mailboxIds);
    qint64 mailbox() const { return m_mailbox; }
    bool shows(qint64 mailboxId) const;
    static constexpr qint64 kUnified = -2;
    void setFilter(const QString &text);
    QString filter() const { return m_filter; }
    // Messages that match the filter by their text (found by a body search);
    // shown with the header matches while the filter stays the same.
    void addTextMatches(const QList<qint64> &ids);
    // Only unread and/or only flagged messages. The message being read stays
    // listed (setSticky) even once it no longer matches, until the view changes.
    void setStateFilter(bool unreadOnly, bool flaggedOnly);
    void setSticky(qint64 messageId) { m_sticky = messageId; }
    // Exactly these messages, from whichever folders they are in (a
    // conversation); mailbox() is then kConversation. Cleared by setMailbox().
    void showMessages(const std::vector<int64_t> &ids, const std::vector<int64_t> &mailboxIds);
    static constexpr qint64 kConversation = -3;
    // The messages of these mailboxes that match a query (a saved search, or
    // "All mail"); mailbox() is then kSearch. The quick filter narrows it further.
    void showSearch(const std::vector<int64_t> &mailboxIds, const QString &query);
    static constexpr qint64 kSearch = -4;
    QString baseQuery() const { return m_baseQuery; }
    const std::vector<int64_t> &mailboxes() const { return m_mailboxes; }
    // Re-reads the ids (after a sync batch or a local change), keeping positions stable.
    void refresh();
    // Updates cached rows after a local flag change, before the next refresh.
    void applyLocalFlags(const std::vector<int64_t> &ids, int flags, bool add);

    qint64 messageId(int row) const;
    int rowOf(qint64 messageId) const;
    std::optional<MessageRecord> record(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    void sort(int column, Qt::SortOrder order) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

    static constexpr const char *kMimeType = "application/x-heron-message-ids";
    static constexpr int kPageSize = 128;

    // Why the last reload failed (the list is then empty), or "".
    QString lastError() const { return m_lastError; }

private:
    void loadIds();
    void loadIdsOrThrow();
    const MessageRecord *row(int r) const;

    heron::store::MailStore *m_store;
    qint64 m_mailbox = 0;
    std::vector<int64_t> m_mailboxes; // what the list shows
    QString m_filter;
    QString m_baseQuery;
    QString m_lastError;
    std::set<int64_t> m_textMatches;
    mutable QHash<qint64, QString> m_folderLabels; // mailbox id -> "Account › Folder"
    bool m_unreadOnly = false, m_flaggedOnly = false;
    std::vector<int64_t> m_only; // showMessages(): just these ids
    qint64 m_sticky = 0;
    int m_sortColumn = DateColumn;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    std::vector<int64_t> m_ids;
    mutable QHash<int, std::vector<MessageRecord>> m_pages;
};

} // namespace heron::ui
