#include "MessageListModel.h"
#include "PlainText.h"

#include "mime/Address.h"

#include "ItemRoles.h"
#include "net/ImapResponse.h"
#include "search/SearchIndex.h"
#include "store/MailStore.h"
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
        m_pages.clear();
        m_lastError = util::describeCurrentException().message;
        qWarning("heron: the message list could not be read: %s", qPrintable(m_lastError));
    }
}

void MessageListModel::loadIdsOrThrow()
{
    m_folderLabels.clear(); // folders may have been renamed
    m_ids.clear();
    m_pages.clear();
    if (m_mailboxes.empty()) return;
    static const char *orderBy[] = {
        "(flags & 1)", "(flags & 4)", "has_attachment", "CASE WHEN from_name<>'' THEN from_name ELSE from_addr END COLLATE NOCASE",
        "subject COLLATE NOCASE", "date", "size", "mailbox_id"};
    const char *dir = m_sortOrder == Qt::AscendingOrder ? "ASC" : "DESC";
    std::string in;
    for (int64_t id : m_mailboxes) in += (in.empty() ? "" : ",") + std::to_string(id);
    std::string sql = "SELECT id FROM messages WHERE mailbox_id IN (" + in + ")";
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
    while (q.step()) m_ids.push_back(q.int64(0));
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
    std::unordered_map<qint64, int> pos;
    pos.reserve(m_ids.size());
    for (size_t i = 0; i < m_ids.size(); ++i) pos.emplace(m_ids[i], int(i));
    QModelIndexList to;
    for (int i = 0; i < from.size(); ++i) {
        auto it = pos.find(fromIds[size_t(i)]);
        to << (it == pos.end() ? QModelIndex() : index(it->second, from[i].column()));
    }
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged();
}

void MessageListModel::applyLocalFlags(const std::vector<int64_t> &ids, int flags, bool add)
{
    for (qint64 id : ids) {
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
    for (size_t i = 0; i < m_ids.size(); ++i)
        if (m_ids[i] == messageId) return int(i);
    return -1;
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
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case FromColumn: return mime::senderLabel(m->fromName, m->fromAddr);
        case SubjectColumn: return m->subject.isEmpty() ? tr("(no subject)") : m->subject;
        case DateColumn: return shortDate(m->date);
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
        if (index.column() == FlagColumn && (m->flags & Flag::Flagged)) return QIcon(QStringLiteral(":/icons/flag.svg"));
        if (index.column() == AttachmentColumn && m->hasAttachment) return QIcon(QStringLiteral(":/icons/attachment.svg"));
        return {};
    case Qt::FontRole: {
        // Found by the server's search, not by the index: its text is not
        // downloaded (italic, and the tooltip says so).
        const bool fromServer = !m_filter.isEmpty() && m_textMatches.count(m->id) > 0;
        if (unread || fromServer) {
            QFont f;
            f.setBold(unread);
            f.setItalic(fromServer);
            return f;
        }
        return {};
    }
    case Qt::ToolTipRole:
        if (!m_filter.isEmpty() && m_textMatches.count(m->id) && index.column() == SubjectColumn)
            return plainToolTip(m->subject) + QStringLiteral("<br><i>") +
                   tr("Found by the server: the text of this message is not downloaded yet.") + QStringLiteral("</i>");
        if (index.column() == FromColumn) return plainToolTip(mime::fullLabel(m->fromName, m->fromAddr));
        if (index.column() == DateColumn) return QLocale().toString(QDateTime::fromSecsSinceEpoch(m->date), QLocale::LongFormat);
        if (index.column() == SubjectColumn) return plainToolTip(m->subject);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
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
    QSet<int> rows;
    QByteArray ids;
    for (const QModelIndex &i : indexes) {
        if (rows.contains(i.row())) continue;
        rows.insert(i.row());
        if (!ids.isEmpty()) ids += ',';
        ids += QByteArray::number(messageId(i.row()));
    }
    auto *md = new QMimeData;
    md->setData(QString::fromLatin1(kMimeType), ids);
    return md;
}

} // namespace heron::ui
