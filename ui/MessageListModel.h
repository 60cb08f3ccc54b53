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

#include <unordered_map>
#include <unordered_set>
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

    // Conversations (View > Threads; see threads/Threads.h): the messages of
    // a conversation listed together, conversations in the order of their
    // first message in the sort order (the newest, by date), each collapsed
    // to its oldest message until expanded. The account's own replies from
    // its Sent folder join the conversations of a folder's list (not of a
    // search or a filtered list, which show what matches).
    void setThreaded(bool on);
    bool threaded() const { return m_threaded; }
    enum class ThreadState { None, Collapsed, Expanded, Member };
    ThreadState threadState(int row) const;
    int threadDepth(int row) const;
    // The row of the head of row's conversation (row itself when not threaded).
    int threadHeadRow(int row) const;
    // Expands or collapses row's conversation; returns its head's row.
    int setExpanded(int row, bool expanded);
    // The first unread message after row, wrapping around (row -1: from the
    // top), opening its conversation when it is collapsed; -1 when none.
    int nextUnreadRow(int row);
    // What a selected row stands for: all the messages of a collapsed
    // conversation that are in this list (not those joined from Sent),
    // otherwise the row's message.
    // alone: the row is the whole selection (else a message joined from Sent
    // stands for nothing: selecting a range acts on this list's messages).
    std::vector<int64_t> idsForRow(int row, bool alone = true) const;

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

    struct Conversation {
        int64_t key = 0;               // messages.thread, or -id for a message not placed yet
        std::vector<int64_t> members;  // oldest first
        int64_t head = 0;              // the row shown when collapsed: its oldest message of this list
        int64_t newest = 0;            // date of its newest message of this list
        int unread = 0;
    };
    struct Member {
        int flags = 0;
        int64_t date = 0;
        int conversation = 0; // index into m_conversations
    };
    struct Got {
        int64_t id, thread, date;
        int flags;
    };
    void buildConversations(std::vector<Got> &got, bool withSent, const std::string &in);
    void layOutRows();
    bool isExpanded(const Conversation &c) const;
    // Reading order of c's messages (records: already read headers, else from the store).
    std::vector<int64_t> arrangement(const Conversation &c, std::vector<int> *depths,
                                     const std::unordered_map<int64_t, MessageRecord> *records = nullptr) const;
    // Where a message of the old layout is now: its row, or its collapsed conversation's (-1: gone).
    int remappedRow(const std::unordered_map<qint64, int> &pos, int64_t id) const;
    void replaceRows(std::vector<int64_t> ids, std::vector<int> thread, std::vector<int> depth);
    int blockEnd(int head) const;
    // The conversation row r belongs to; null when not threaded or r is out
    // of range (between layoutAboutToBeChanged and layoutChanged in refresh()
    // a row of the old layout may get the new layout's conversation: only
    // bounds are guaranteed there).
    const Conversation *conversationAt(int r) const;
    bool isUnread(int64_t id) const;

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
    bool m_threaded = false;
    std::vector<Conversation> m_conversations; // in display order
    std::vector<int> m_rowThread;               // row -> index into m_conversations (non-decreasing)
    std::vector<int> m_rowDepth;                // row -> depth in its conversation
    std::unordered_map<int64_t, Member> m_members;
    std::unordered_set<int64_t> m_fromSent;     // members joined from the Sent folder
    std::set<int64_t> m_expanded;               // conversation keys
    mutable std::unordered_map<int64_t, int> m_rowIndex; // message id -> row (rowOf), rebuilt after a layout change
    mutable bool m_rowIndexValid = false;
};

} // namespace heron::ui
