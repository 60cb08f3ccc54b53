#pragma once
// The folder tree; accepts messages dragged from the list (move; Ctrl copies).
#include <QTreeView>

namespace heron::ui {

class FolderTreeView : public QTreeView {
    Q_OBJECT
public:
    explicit FolderTreeView(QWidget *parent = nullptr);
Q_SIGNALS:
    void messagesDropped(qint64 mailboxId, const std::vector<int64_t> &messageIds, bool copy);
protected:
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dragMoveEvent(QDragMoveEvent *e) override;
    void dropEvent(QDropEvent *e) override;
};

} // namespace heron::ui
