#include "FolderTreeView.h"

#include "ItemRoles.h"
#include "MessageListModel.h"

#include <QDragEnterEvent>
#include <QMimeData>

namespace heron::ui {

FolderTreeView::FolderTreeView(QWidget *parent) : QTreeView(parent)
{
    setAcceptDrops(true);
    setDropIndicatorShown(true);
    setDragDropMode(QAbstractItemView::DropOnly);
    setHeaderHidden(true);
    setUniformRowHeights(true);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
}

void FolderTreeView::dragEnterEvent(QDragEnterEvent *e)
{
    if (e->mimeData()->hasFormat(QString::fromLatin1(MessageListModel::kMimeType))) e->acceptProposedAction();
    else e->ignore();
}

void FolderTreeView::dragMoveEvent(QDragMoveEvent *e)
{
    QModelIndex idx = indexAt(e->position().toPoint());
    if (idx.isValid() && idx.data(MailboxIdRole).toLongLong() > 0 &&
        e->mimeData()->hasFormat(QString::fromLatin1(MessageListModel::kMimeType))) {
        e->setDropAction((e->modifiers() & Qt::ControlModifier) ? Qt::CopyAction : Qt::MoveAction);
        e->accept();
    } else {
        e->ignore();
    }
}

void FolderTreeView::dropEvent(QDropEvent *e)
{
    QModelIndex idx = indexAt(e->position().toPoint());
    const qint64 mailbox = idx.data(MailboxIdRole).toLongLong();
    if (mailbox <= 0) { e->ignore(); return; }
    std::vector<int64_t> ids;
    for (const QByteArray &s : e->mimeData()->data(QString::fromLatin1(MessageListModel::kMimeType)).split(','))
        if (qint64 id = s.toLongLong()) ids.push_back(id);
    const bool copy = e->modifiers() & Qt::ControlModifier;
    e->setDropAction(copy ? Qt::CopyAction : Qt::MoveAction);
    e->accept();
    Q_EMIT messagesDropped(mailbox, ids, copy);
}

} // namespace heron::ui
