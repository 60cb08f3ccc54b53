#include "MessageListModel.h"
#include "PlainText.h"

#include "mime/Address.h"

#include "ItemRoles.h"
#include "net/ImapResponse.h"
#include "search/SearchIndex.h"
#include "store/MailStore.h"
#include "threads/Threads.h"
#include "util/ErrorText.h"

#include <QDateTime>
#include <QFont>
#include <QIcon>
#include <QLocale>
#include <QMimeData>

#include <unordered_map>

namespace heron::ui {

using store::Statement;

MessageListModel::MessageListModel(store::MailStore *store, QObject *parent) : QAbstractTableModel(parent), m_store(store) {}

void MessageListModel::setMailbox(qint64 mailboxId)
{
    beginResetModel();
    m_mailbox = mailboxId;
    m_baseQuery.clear();
    m_expanded.clear();
    m_sticky = 0;
    m_only.clear();
    m_mailboxes.clear();
    if (mailboxId > 0) m_mailboxes.push_back(mailboxId);
    loadIds();
    endResetModel();
}

void MessageListModel::setMailboxes(const std::vector<int64_t> &mailboxIds)
{
    beginResetModel();
    m_mailbox = kUnified;
    m_baseQuery.clear();
    m_sticky = 0;
    m_only.clear();
    m_mailboxes = mailboxIds;
    loadIds();
    endResetModel();
}

bool MessageListModel::shows(qint64 mailboxId) const
{
    return std::find(m_mailboxes.begin(), m_mailboxes.end(), mailboxId) != m_mailboxes.end();
}

void MessageListModel::setFilter(const QString &text)
{
    if (text == m_filter) return;
    beginResetModel();
    m_filter = text;
    m_textMatches.clear();
    loadIds();
    endResetModel();
}

void MessageListModel::showMessages(const std::vector<int64_t> &ids, const std::vector<int64_t> &mailboxIds)
{
    beginResetModel();
    m_mailbox = kConversation;
    m_baseQuery.clear();
    m_sticky = 0;
    m_mailboxes = mailboxIds;
    m_only = ids;
    loadIds();
    endResetModel();
}

void MessageListModel::showSearch(const std::vector<int64_t> &mailboxIds, const QString &query)
{
    beginResetModel();
    m_mailbox = kSearch;
    m_baseQuery = query;
    m_sticky = 0;
    m_only.clear();
    m_mailboxes = mailboxIds;
    loadIds();
    endResetModel();
}

void MessageListModel::setStateFilter(bool unreadOnly, bool flaggedOnly)
{
    if (unreadOnly == m_unreadOnly && flaggedOnly == m_flaggedOnly) return;
    beginResetModel();
    m_unreadOnly = unreadOnly;
    m_flaggedOnly = flaggedOnly;
    m_sticky = 0;
    loadIds();
    endResetModel();
}

void MessageListModel::addTextMatches(const QList<qint64> &ids)
{
    const size_t before = m_textMatches.size();
    for (qint64 id : ids) m_textMatches.insert(id);
    if (m_textMatches.size() != before && !m_filter.isEmpty()) refresh();
}

void MessageListModel::loadIds()
{
    // Called from slots (typing in the filter, a sync batch): a database
    // problem (locked, full, corrupt) shows an empty list and says why in
    // lastError(), it never throws out of the event loop.
    try {
        m_lastError.clear();
        loadIdsOrThrow();
    } catch (...) {
        m_ids.clear();
        m_rowIndexValid = false;
        m_pages.clear();
        m_conversations.clear();
        m_rowThread.clear();
        m_rowDepth.clear();
        m_lastError = util::describeCurrentException().message;
        qWarning("heron: the message list could not be read: %s", qPrintable(m_lastError));
    }
}

void MessageListModel::loadIdsOrThrow()
{
    // Open conversations stay open across a reload, by a message of theirs:
    // their numbers change when two are found to be one.
    std::vector<int64_t> keepOpen;
    for (const Conversation &c : m_conversations)
        if (m_expanded.count(c.key)) keepOpen.push_back(c.head);
    m_folderLabels.clear(); // folders may have been renamed
    m_rowIndexValid = false;
    m_ids.clear();
    m_pages.clear();
    m_conversations.clear();
    m_rowThread.clear();
    m_rowDepth.clear();
    m_members.clear();
    m_fromSent.clear();
    if (m_mailboxes.empty()) return;
    static const char *orderBy[] = {
        "(flags & 1)", "(flags & 4)", "has_attachment", "CASE WHEN from_name<>'' THEN from_name ELSE from_addr END COLLATE NOCASE",
        "subject COLLATE NOCASE", "date", "size", "mailbox_id"};
    const char *dir = m_sortOrder == Qt::AscendingOrder ? "ASC" : "DESC";
    std::string in;
    for (int64_t id : m_mailboxes) in += (in.empty() ? "" : ",") + std::to_string(id);
    std::string sql = std::string("SELECT id") + (m_threaded ? ", thread, date, flags" : "") +
                      " FROM messages WHERE mailbox_id IN (" + in + ")";
    if (m_mailbox == kConversation) {
        std::string only;
        for (int64_t id : m_only) only += (only.empty() ? "" : ",") + std::to_string(id);
        sql += " AND id IN (" + (only.empty() ? std::string("0") : only) + ")";
    }
    if (m_unreadOnly || m_flaggedOnly) {
        std::string state = m_unreadOnly ? "(flags & 1)=0" : "";
        if (m_flaggedOnly) state += std::string(state.empty() ? "" : " AND ") + "(flags & 4)<>0";
        sql += " AND (" + state + (m_sticky ? " OR id=" + std::to_string(m_sticky) : std::string()) + ")";
    }
    // The quick filter speaks the search language (search/Query.h) and is
    // answered by the full-text index; the server's hits for messages whose
    // text is not downloaded join it (m_textMatches).
    search::CompiledQuery base;
    if (!m_baseQuery.isEmpty()) {
        base = search::compileQuery(m_baseQuery, search::contextFor(*m_store));
        sql += " AND id IN (SELECT m.id FROM messages m JOIN mailboxes x ON x.id=m.mailbox_id WHERE m.mailbox_id IN (" + in +
               ") AND (" + base.where + "))";
    }
    search::CompiledQuery query;
    if (!m_filter.isEmpty()) {
        query = search::compileQuery(m_filter, search::contextFor(*m_store));
        std::string text;
        for (int64_t id : m_textMatches) text += (text.empty() ? "" : ",") + std::to_string(id);
        sql += " AND (id IN (SELECT m.id FROM messages m JOIN mailboxes x ON x.id=m.mailbox_id WHERE m.mailbox_id IN (" + in +
               ") AND (" + query.where + "))" + (text.empty() ? std::string() : " OR id IN (" + text + ")") + ")";
    }
    sql += std::string(" ORDER BY ") + orderBy[m_sortColumn] + " " + dir;
    if (m_sortColumn != DateColumn) sql += std::string(", date ") + dir;
    sql += std::string(", id ") + dir;
    Statement q = m_store->db().prepare(sql.c_str());
    if (!m_baseQuery.isEmpty()) search::bindParams(q, base);
    if (!m_filter.isEmpty()) search::bindParams(q, query, int(base.params.size()) + 1);
    if (!m_threaded) {
        while (q.step()) m_ids.push_back(q.int64(0));
        return;
    }
    std::vector<Got> got;
    while (q.step()) got.push_back({q.int64(0), q.int64(1), q.int64(2), int(q.int64(3))});
    // A folder's conversations include your replies from Sent; a list of
    // matches shows only what matches, and Drafts, Trash, Junk and Sent
    // itself only their own messages (a draft row must be a draft).
    bool withSent = m_filter.isEmpty() && m_baseQuery.isEmpty() && !m_unreadOnly && !m_flaggedOnly &&
                    (m_mailbox > 0 || m_mailbox == kUnified);
    for (int64_t mb : m_mailboxes) {
        const auto box = withSent ? m_store->mailbox(mb) : std::nullopt;
        if (!box) break;
        for (const char *role : {"\\Drafts", "\\Trash", "\\Junk", "\\Sent"})
            if (auto r = m_store->mailboxByRole(box->accountId, QString::fromLatin1(role)); r && r->id == mb) withSent = false;
    }
    buildConversations(got, withSent, in);
    m_expanded.clear();
    for (int64_t id : keepOpen) {
        auto it = m_members.find(id);
        if (it != m_members.end()) m_expanded.insert(m_conversations[size_t(it->second.conversation)].key);
    }
    layOutRows();
}

void MessageListModel::buildConversations(std::vector<Got> &got, bool withSent, const std::string &in)
{
    std::unordered_map<int64_t, int> byKey;
    byKey.reserve(got.size());
    m_members.reserve(got.size());
    for (const Got &g : got) {
        const int64_t key = g.thread ? g.thread : -g.id;
        auto [it, fresh] = byKey.emplace(key, int(m_conversations.size()));
        if (fresh) {
            m_conversations.emplace_back();
            m_conversations.back().key = key;
        }
        m_conversations[size_t(it->second)].members.push_back(g.id);
        m_members[g.id] = {g.flags, g.date, it->second};
    }
    if (withSent) {
        std::set<int64_t> accounts, sentBoxes;
        for (int64_t mb : m_mailboxes)
            if (auto box = m_store->mailbox(mb)) accounts.insert(box->accountId);
        for (int64_t acc : accounts)
            if (auto sent = m_store->mailboxByRole(acc, QStringLiteral("\\Sent")); sent && !shows(sent->id)) sentBoxes.insert(sent->id);
        for (int64_t box : sentBoxes) {
            // Not a copy of a message this list has (a mailing list sends
            // your post back, a Bcc to yourself): each message once.
            Statement q = m_store->db().prepare(
                ("SELECT s.id, s.thread, s.date, s.flags FROM messages s WHERE s.mailbox_id=? AND s.thread<>0 AND NOT EXISTS "
                 "(SELECT 1 FROM messages o WHERE o.thread=s.thread AND o.thread<>0 AND o.message_id=s.message_id AND "
                 "s.message_id<>'' AND o.mailbox_id IN (" + in + "))").c_str());
            q.bind(1, box);
            while (q.step()) {
                auto it = byKey.find(q.int64(1));
                if (it == byKey.end()) continue;
                const int64_t id = q.int64(0);
                m_conversations[size_t(it->second)].members.push_back(id);
                m_members[id] = {int(q.int64(3)), q.int64(2), it->second};
                m_fromSent.insert(id);
            }
        }
    }
    for (Conversation &c : m_conversations) {
        if (c.members.size() > 1)
            std::sort(c.members.begin(), c.members.end(), [this](int64_t a, int64_t b) {
                const Member &x = m_members[a], &y = m_members[b];
                return x.date != y.date ? x.date < y.date : a < b;
            });
        c.head = 0;
        for (int64_t id : c.members) {
            const Member &m = m_members[id];
            if (!(m.flags & Flag::Seen)) ++c.unread;
            if (m_fromSent.count(id)) continue;
            // Its row is its oldest message of this list, never one from Sent.
            if (!c.head) c.head = id;
            c.newest = std::max(c.newest, m.date);
        }
    }
    // By date: conversations in the order of their newest message (the date
    // their row shows). Otherwise in the order of their first message in the
    // sort order, as the query gave them.
    if (m_sortColumn == DateColumn)
        std::stable_sort(m_conversations.begin(), m_conversations.end(), [this](const Conversation &a, const Conversation &b) {
            return m_sortOrder == Qt::DescendingOrder ? a.newest > b.newest : a.newest < b.newest;
        });
    for (size_t t = 0; t < m_conversations.size(); ++t)
        for (int64_t id : m_conversations[t].members) m_members[id].conversation = int(t);
}

std::vector<int64_t> MessageListModel::arrangement(const Conversation &c, std::vector<int> *depths,
                                                  const std::unordered_map<int64_t, MessageRecord> *records) const
{
    std::vector<MessageRecord> members;
    if (records) {
        for (int64_t id : c.members)
            if (auto it = records->find(id); it != records->end()) members.push_back(it->second);
    } else {
        members = m_store->messagesByIds(c.members);
    }
    std::vector<int64_t> ids;
    for (const threads::Placed &p : threads::arrange(members)) {
        ids.push_back(p.id);
        depths->push_back(p.depth);
    }
    return ids;
}

bool MessageListModel::isExpanded(const Conversation &c) const
{
    // A conversation shown on its own (Shift+O) is always open.
    return c.members.size() > 1 && (m_mailbox == kConversation || m_expanded.count(c.key) > 0);
}

void MessageListModel::layOutRows()
{
    m_rowIndexValid = false;
    m_ids.clear();
    m_rowThread.clear();
    m_rowDepth.clear();
    m_ids.reserve(m_conversations.size());
    // The open conversations' headers in one query.
    std::vector<int64_t> wanted;
    for (const Conversation &c : m_conversations)
        if (isExpanded(c)) wanted.insert(wanted.end(), c.members.begin(), c.members.end());
    std::unordered_map<int64_t, MessageRecord> records;
    for (MessageRecord &m : m_store->messagesByIds(wanted)) records.emplace(m.id, std::move(m));
    for (size_t t = 0; t < m_conversations.size(); ++t) {
        const Conversation &c = m_conversations[t];
        if (isExpanded(c)) {
            std::vector<int> depths;
            const std::vector<int64_t> ids = arrangement(c, &depths, &records);
            if (!ids.empty()) {
                for (size_t i = 0; i < ids.size(); ++i) {
                    m_ids.push_back(ids[i]);
                    m_rowThread.push_back(int(t));
                    m_rowDepth.push_back(depths[i]);
                }
                continue;
            }
        }
        m_ids.push_back(c.head);
        m_rowThread.push_back(int(t));
        m_rowDepth.push_back(0);
    }
}

void MessageListModel::setThreaded(bool on)
{
    if (on == m_threaded) return;
    beginResetModel();
    m_threaded = on;
    m_expanded.clear();
    loadIds();
    endResetModel();
}

const MessageListModel::Conversation *MessageListModel::conversationAt(int r) const
{
    if (!m_threaded || r < 0 || size_t(r) >= m_rowThread.size() || size_t(r) >= m_ids.size()) return nullptr;
    const int t = m_rowThread[size_t(r)];
    return t >= 0 && size_t(t) < m_conversations.size() ? &m_conversations[size_t(t)] : nullptr;
}

MessageListModel::ThreadState MessageListModel::threadState(int row) const
{
    const Conversation *conv = conversationAt(row);
    if (!conv) return ThreadState::None;
    const Conversation &c = *conv;
    if (c.members.size() < 2) return ThreadState::None;
    if (row > 0 && m_rowThread[size_t(row) - 1] == m_rowThread[size_t(row)]) return ThreadState::Member;
    return isExpanded(c) ? ThreadState::Expanded : ThreadState::Collapsed;
}

int MessageListModel::threadDepth(int row) const
{
    if (!m_threaded || row < 0 || size_t(row) >= m_rowDepth.size()) return 0;
    return m_rowDepth[size_t(row)];
}

int MessageListModel::threadHeadRow(int row) const
{
    if (!conversationAt(row)) return row;
    // m_rowThread is non-decreasing: the head is the first row of its run.
    auto it = std::lower_bound(m_rowThread.begin(), m_rowThread.end(), m_rowThread[size_t(row)]);
    return int(it - m_rowThread.begin());
}

int MessageListModel::blockEnd(int head) const
{
    auto it = std::upper_bound(m_rowThread.begin(), m_rowThread.end(), m_rowThread[size_t(head)]);
    return int(it - m_rowThread.begin());
}

void MessageListModel::replaceRows(std::vector<int64_t> ids, std::vector<int> thread, std::vector<int> depth)
{
    // As refresh(): the view keeps its selection (by message) across it.
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList from = persistentIndexList();
    std::vector<int64_t> fromIds;
    for (const QModelIndex &i : from) fromIds.push_back(messageId(i.row()));
    m_ids = std::move(ids);
    m_rowThread = std::move(thread);
    m_rowDepth = std::move(depth);
    m_pages.clear();
    m_rowIndexValid = false;
    std::unordered_map<qint64, int> pos;
    pos.reserve(m_ids.size());
    for (size_t i = 0; i < m_ids.size(); ++i) pos.emplace(m_ids[i], int(i));
    QModelIndexList to;
    for (int i = 0; i < from.size(); ++i) to << index(remappedRow(pos, fromIds[size_t(i)]), from[i].column());
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged();
}

int MessageListModel::remappedRow(const std::unordered_map<qint64, int> &pos, int64_t id) const
{
    auto it = pos.find(id);
    if (it != pos.end()) return it->second;
    // Now inside a collapsed conversation: its row.
    auto member = m_members.find(id);
    if (member == m_members.end()) return -1;
    auto head = std::lower_bound(m_rowThread.begin(), m_rowThread.end(), member->second.conversation);
    return head != m_rowThread.end() && *head == member->second.conversation ? int(head - m_rowThread.begin()) : -1;
}

int MessageListModel::setExpanded(int row, bool expanded)
{
    if (!conversationAt(row) || m_mailbox == kConversation) return threadHeadRow(row);
    const int head = threadHeadRow(row);
    const int end = blockEnd(head);
    const int t = m_rowThread[size_t(head)];
    Conversation &c = m_conversations[size_t(t)];
    if (c.members.size() < 2 || isExpanded(c) == expanded) return head;
    if (!expanded) {
        m_expanded.erase(c.key);
        if (m_ids[size_t(head)] == c.head) {
            if (end - head > 1) {
                beginRemoveRows({}, head + 1, end - 1);
                m_ids.erase(m_ids.begin() + head + 1, m_ids.begin() + end);
                m_rowThread.erase(m_rowThread.begin() + head + 1, m_rowThread.begin() + end);
                m_rowDepth.erase(m_rowDepth.begin() + head + 1, m_rowDepth.begin() + end);
                m_pages.clear();
                m_rowIndexValid = false;
                endRemoveRows();
            }
            Q_EMIT dataChanged(index(head, 0), index(head, ColumnCount - 1));
        } else {
            // Its first row was not its own row (one from Sent, or a reply
            // dated before what it answers): the block becomes that row.
            std::vector<int64_t> ids(m_ids.begin(), m_ids.begin() + head);
            std::vector<int> thread(m_rowThread.begin(), m_rowThread.begin() + head);
            std::vector<int> depth(m_rowDepth.begin(), m_rowDepth.begin() + head);
            ids.push_back(c.head);
            thread.push_back(t);
            depth.push_back(0);
            ids.insert(ids.end(), m_ids.begin() + end, m_ids.end());
            thread.insert(thread.end(), m_rowThread.begin() + end, m_rowThread.end());
            depth.insert(depth.end(), m_rowDepth.begin() + end, m_rowDepth.end());
            replaceRows(std::move(ids), std::move(thread), std::move(depth));
        }
        return head;
    }
    std::vector<int> depths;
    std::vector<int64_t> ids;
    try {
        ids = arrangement(c, &depths);
    } catch (...) {
        m_lastError = util::describeCurrentException().message;
        qWarning("heron: the conversation could not be read: %s", qPrintable(m_lastError));
        return head;
    }
    if (ids.size() < 2) return head;
    m_expanded.insert(c.key);
    if (ids.front() == m_ids[size_t(head)] && end == head + 1) {
        beginInsertRows({}, head + 1, head + int(ids.size()) - 1);
        m_ids.insert(m_ids.begin() + head + 1, ids.begin() + 1, ids.end());
        m_rowThread.insert(m_rowThread.begin() + head + 1, ids.size() - 1, t);
        m_rowDepth.insert(m_rowDepth.begin() + head + 1, depths.begin() + 1, depths.end());
        m_pages.clear();
        m_rowIndexValid = false;
        endInsertRows();
        Q_EMIT dataChanged(index(head, 0), index(head, ColumnCount - 1));
    } else {
        // Its first message is not its row (one from Sent, or a reply dated
        // before what it answers): the block is laid out again.
        std::vector<int64_t> allIds(m_ids.begin(), m_ids.begin() + head);
        std::vector<int> allThread(m_rowThread.begin(), m_rowThread.begin() + head);
        std::vector<int> allDepth(m_rowDepth.begin(), m_rowDepth.begin() + head);
        allIds.insert(allIds.end(), ids.begin(), ids.end());
        allThread.insert(allThread.end(), ids.size(), t);
        allDepth.insert(allDepth.end(), depths.begin(), depths.end());
        allIds.insert(allIds.end(), m_ids.begin() + end, m_ids.end());
        allThread.insert(allThread.end(), m_rowThread.begin() + end, m_rowThread.end());
        allDepth.insert(allDepth.end(), m_rowDepth.begin() + end, m_rowDepth.end());
        replaceRows(std::move(allIds), std::move(allThread), std::move(allDepth));
    }
    return head;
}

bool MessageListModel::isUnread(int64_t id) const
{
    auto it = m_members.find(id);
    if (it != m_members.end()) return !(it->second.flags & Flag::Seen);
    const int r = rowOf(id);
    const MessageRecord *m = row(r);
    return m && !(m->flags & Flag::Seen);
}

int MessageListModel::nextUnreadRow(int from)
{
    const int rows = int(m_ids.size());
    if (rows == 0) return -1;
    if (!m_threaded) {
        for (int step = 1; step <= rows; ++step) {
            const int r = (from + step) % rows;
            if (r == from) break;
            const MessageRecord *m = row(r);
            if (m && !(m->flags & Flag::Seen)) return r;
        }
        return -1;
    }
    // The rest of the current conversation, then the next ones (opening the
    // one that has it), wrapping around to the start of the current one.
    const int n = int(m_conversations.size());
    const int t0 = from >= 0 && from < rows ? m_rowThread[size_t(from)] : -1;
    const int64_t fromId = t0 >= 0 ? m_ids[size_t(from)] : 0;
    if (t0 >= 0 && threadState(from) == ThreadState::Collapsed &&
        m_conversations[size_t(t0)].unread > (isUnread(fromId) ? 1 : 0))
        from = setExpanded(from, true); // the unread ones inside come first
    if (t0 >= 0)
        for (int r = from + 1; r < blockEnd(from); ++r)
            if (isUnread(m_ids[size_t(r)])) return r;
    for (int step = 1; step <= n; ++step) {
        const int t = t0 < 0 ? step - 1 : (t0 + step) % n;
        const Conversation &c = m_conversations[size_t(t)];
        if (c.unread == 0) continue;
        int head = int(std::lower_bound(m_rowThread.begin(), m_rowThread.end(), t) - m_rowThread.begin());
        if (c.members.size() > 1 && !m_expanded.count(c.key) && !(c.head == m_ids[size_t(head)] && c.unread == 1 && isUnread(c.head)))
            head = setExpanded(head, true);
        // Back in the first conversation: up to the current message, not
        // including it (rows may have moved: conversations opened meanwhile).
        const int stop = t == t0 ? rowOf(fromId) : blockEnd(head);
        for (int r = head; r < stop; ++r)
            if (isUnread(m_ids[size_t(r)])) return r;
        if (t0 < 0 && step == n) break;
    }
    return -1;
}

std::vector<int64_t> MessageListModel::idsForRow(int row, bool alone) const
{
    if (threadState(row) != ThreadState::Collapsed) {
        const qint64 id = messageId(row);
        // A message from Sent among others selected (Ctrl+A, a range) stays
        // where it is: it is not this folder's.
        if (!id || (!alone && m_fromSent.count(id))) return {};
        return {id};
    }
    std::vector<int64_t> out;
    for (int64_t id : m_conversations[size_t(m_rowThread[size_t(row)])].members)
        if (!m_fromSent.count(id)) out.push_back(id);
    return out;
}

void MessageListModel::refresh()
{
    std::vector<int64_t> old = m_ids;
    loadIds();
    if (old == m_ids) {
        m_pages.clear(); // flags may have changed (another device read or flagged them)
        if (!m_ids.empty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_ids.size()) - 1, ColumnCount - 1));
        return;
    }
    // Let views keep their selection (persistent indexes) across the change.
    std::vector<int64_t> fresh = std::move(m_ids);
    m_ids = std::move(old);
    Q_EMIT layoutAboutToBeChanged();
    QModelIndexList from = persistentIndexList();
    std::vector<int64_t> fromIds;
    for (const QModelIndex &i : from) fromIds.push_back(messageId(i.row()));
    m_ids = std::move(fresh);
    m_pages.clear();
    m_rowIndexValid = false;
    std::unordered_map<qint64, int> pos;
    pos.reserve(m_ids.size());
    for (size_t i = 0; i < m_ids.size(); ++i) pos.emplace(m_ids[i], int(i));
    QModelIndexList to;
    for (int i = 0; i < from.size(); ++i) to << index(remappedRow(pos, fromIds[size_t(i)]), from[i].column());
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged();
}

void MessageListModel::applyLocalFlags(const std::vector<int64_t> &ids, int flags, bool add)
{
    for (qint64 id : ids) {
        auto member = m_members.find(id);
        if (member != m_members.end()) {
            // The conversation's unread count follows (its head shows it).
            const bool wasUnread = !(member->second.flags & Flag::Seen);
            member->second.flags = add ? (member->second.flags | flags) : (member->second.flags & ~flags);
            const bool unread = !(member->second.flags & Flag::Seen);
            const int t = member->second.conversation;
            if (wasUnread != unread && size_t(t) < m_conversations.size()) {
                m_conversations[size_t(t)].unread += unread ? 1 : -1;
                const auto head = std::lower_bound(m_rowThread.begin(), m_rowThread.end(), t);
                if (head != m_rowThread.end() && *head == t) {
                    const int r = int(head - m_rowThread.begin());
                    Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
                }
            }
        }
        int r = rowOf(id);
        if (r < 0) continue;
        auto it = m_pages.find(r / kPageSize);
        if (it == m_pages.end()) continue;
        MessageRecord &m = it.value()[size_t(r % kPageSize)];
        m.flags = add ? (m.flags | flags) : (m.flags & ~flags);
        Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
    }
}

qint64 MessageListModel::messageId(int row) const
{
    return row >= 0 && size_t(row) < m_ids.size() ? m_ids[size_t(row)] : 0;
}

int MessageListModel::rowOf(qint64 messageId) const
{
    if (!m_rowIndexValid) {
        m_rowIndex.clear();
        m_rowIndex.reserve(m_ids.size());
        for (size_t i = 0; i < m_ids.size(); ++i) m_rowIndex.emplace(m_ids[i], int(i));
        m_rowIndexValid = true;
    }
    auto it = m_rowIndex.find(messageId);
    return it == m_rowIndex.end() ? -1 : it->second;
}

const MessageRecord *MessageListModel::row(int r) const
{
    if (r < 0 || size_t(r) >= m_ids.size()) return nullptr;
    const int page = r / kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end()) {
        if (m_pages.size() > 64) m_pages.clear(); // bounded: ~8k rows cached at most
        const int first = page * kPageSize;
        const int last = std::min(int(m_ids.size()), first + kPageSize);
        std::unordered_map<qint64, MessageRecord> got;
        for (MessageRecord &m : m_store->messagesByIds(std::vector<int64_t>(m_ids.begin() + first, m_ids.begin() + last)))
            got.emplace(m.id, std::move(m));
        std::vector<MessageRecord> rows(size_t(last - first));
        for (int i = first; i < last; ++i) {
            auto g = got.find(m_ids[size_t(i)]);
            if (g != got.end()) rows[size_t(i - first)] = std::move(g->second);
            else rows[size_t(i - first)].id = m_ids[size_t(i)]; // vanished meanwhile: blank row until refresh
        }
        it = m_pages.insert(page, std::move(rows));
    }
    return &it.value()[size_t(r % kPageSize)];
}

std::optional<MessageRecord> MessageListModel::record(int r) const
{
    const MessageRecord *m = row(r);
    if (!m) return std::nullopt;
    return *m;
}

int MessageListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_ids.size()); }
int MessageListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

static QString humanSize(qint64 bytes)
{
    if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024) return QStringLiteral("%1 KB").arg((bytes + 512) / 1024);
    return QStringLiteral("%1 MB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

static QString shortDate(qint64 secs)
{
    if (secs <= 0) return QString();
    QDateTime dt = QDateTime::fromSecsSinceEpoch(secs);
    const QDate today = QDate::currentDate();
    if (dt.date() == today) return QLocale().toString(dt.time(), QStringLiteral("HH:mm"));
    if (dt.date().daysTo(today) < 7 && dt.date() < today)
        return QLocale().toString(dt, QStringLiteral("ddd HH:mm"));
    return QLocale().toString(dt.date(), QLocale::ShortFormat);
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    const MessageRecord *m = row(index.row());
    if (!m) return {};
    const bool unread = !(m->flags & Flag::Seen);
    const ThreadState thread = threadState(index.row());
    const Conversation *conv = conversationAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case FromColumn: return mime::senderLabel(m->fromName, m->fromAddr);
        case SubjectColumn: return m->subject.isEmpty() ? tr("(no subject)") : m->subject;
        case DateColumn: return shortDate(thread == ThreadState::Collapsed ? conv->newest : m->date); // when it last moved
        case SizeColumn: return humanSize(m->size);
        case FolderColumn: {
            auto it = m_folderLabels.find(m->mailboxId);
            if (it == m_folderLabels.end()) {
                QString label;
                if (auto mb = m_store->mailbox(m->mailboxId)) {
                    const auto acc = m_store->account(mb->accountId);
                    const QString folder = mb->specialUse == QLatin1String("\\Inbox") ? tr("Inbox") : net::decodeMailboxName(mb->name.toLatin1());
                    label = acc ? QStringLiteral("%1 › %2").arg(acc->name, folder) : folder;
                }
                it = m_folderLabels.insert(m->mailboxId, label);
            }
            return *it;
        }
        default: return {};
        }
    case Qt::DecorationRole:
        if (index.column() == StatusColumn && unread) return QIcon(QStringLiteral(":/icons/unread.svg"));
        if (index.column() == StatusColumn && m_fromSent.count(m->id)) return QIcon(QStringLiteral(":/icons/sent.svg"));
        if (index.column() == FlagColumn && (m->flags & Flag::Flagged)) return QIcon(QStringLiteral(":/icons/flag.svg"));
        if (index.column() == AttachmentColumn && m->hasAttachment) return QIcon(QStringLiteral(":/icons/attachment.svg"));
        return {};
    case Qt::FontRole: {
        // Found by the server's search, not by the index: its text is not
        // downloaded (italic, and the tooltip says so).
        const bool fromServer = !m_filter.isEmpty() && m_textMatches.count(m->id) > 0;
        // A collapsed conversation with unread messages in it reads as unread.
        const bool bold = unread || (thread == ThreadState::Collapsed && conv->unread > 0);
        if (bold || fromServer) {
            QFont f;
            f.setBold(bold);
            f.setItalic(fromServer);
            return f;
        }
        return {};
    }
    case Qt::ToolTipRole:
        if (!m_filter.isEmpty() && m_textMatches.count(m->id) && index.column() == SubjectColumn)
            return plainToolTip(m->subject) + QStringLiteral("<br><i>") +
                   tr("Found by the server: the text of this message is not downloaded yet.") + QStringLiteral("</i>");
        if (index.column() == StatusColumn && m_fromSent.count(m->id)) return tr("Your message, from the Sent folder");
        if (index.column() == SubjectColumn && thread == ThreadState::Collapsed)
            return plainToolTip(m->subject) + QStringLiteral("<br>") +
                   tr("%n messages in this conversation", nullptr, int(conv->members.size())) +
                   (conv->unread ? QStringLiteral(", ") + tr("%n unread", nullptr, conv->unread) : QString());
        if (index.column() == FromColumn) return plainToolTip(mime::fullLabel(m->fromName, m->fromAddr));
        if (index.column() == DateColumn && thread == ThreadState::Collapsed)
            return tr("Newest message: %1").arg(QLocale().toString(QDateTime::fromSecsSinceEpoch(conv->newest), QLocale::LongFormat));
        if (index.column() == DateColumn) return QLocale().toString(QDateTime::fromSecsSinceEpoch(m->date), QLocale::LongFormat);
        if (index.column() == SubjectColumn) return plainToolTip(m->subject);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::AccessibleTextRole:
        if (index.column() == SubjectColumn && thread != ThreadState::None) {
            const QString subject = m->subject.isEmpty() ? tr("(no subject)") : m->subject;
            if (thread == ThreadState::Member) return tr("%1, reply, level %2").arg(subject).arg(threadDepth(index.row()));
            return tr("%1, conversation of %n messages, %2", nullptr, int(conv->members.size()))
                .arg(subject, thread == ThreadState::Collapsed ? tr("%n unread, collapsed", nullptr, conv->unread) : tr("expanded"));
        }
        return {};
    case ThreadStateRole: return int(thread);
    case ThreadDepthRole: return threadDepth(index.row());
    case ThreadSizeRole: return conv ? int(conv->members.size()) : 1;
    case ThreadUnreadRole: return conv ? conv->unread : int(unread);
    case MessageIdRole: return qint64(m->id);
    case FlagsRole: return m->flags;
    case IsUnreadRole: return unread;
    default: return {};
    }
}

QVariant MessageListModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case FromColumn: return tr("From");
        case SubjectColumn: return tr("Subject");
        case DateColumn: return tr("Date");
        case SizeColumn: return tr("Size");
        case FolderColumn: return tr("Folder");
        default: return {};
        }
    }
    if (role == Qt::DecorationRole) {
        if (section == StatusColumn) return QIcon(QStringLiteral(":/icons/unread.svg"));
        if (section == FlagColumn) return QIcon(QStringLiteral(":/icons/flag-outline.svg"));
        if (section == AttachmentColumn) return QIcon(QStringLiteral(":/icons/attachment.svg"));
    }
    if (role == Qt::ToolTipRole) {
        if (section == StatusColumn) return tr("Read status");
        if (section == FlagColumn) return tr("Flagged");
        if (section == AttachmentColumn) return tr("Attachments");
    }
    return {};
}

void MessageListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount) return;
    m_sortColumn = column;
    m_sortOrder = order;
    refresh();
}

Qt::ItemFlags MessageListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid()) return Qt::NoItemFlags;
    return QAbstractTableModel::flags(index) | Qt::ItemIsDragEnabled;
}

QStringList MessageListModel::mimeTypes() const { return {QString::fromLatin1(kMimeType)}; }

QMimeData *MessageListModel::mimeData(const QModelIndexList &indexes) const
{
    std::set<int> rows;
    for (const QModelIndex &i : indexes) rows.insert(i.row());
    QByteArray ids;
    for (int r : rows)
        for (int64_t id : idsForRow(r, rows.size() == 1)) { // a collapsed conversation goes whole
            if (!ids.isEmpty()) ids += ',';
            ids += QByteArray::number(qlonglong(id));
        }
    auto *md = new QMimeData;
    md->setData(QString::fromLatin1(kMimeType), ids);
    return md;
}

} // namespace heron::ui
