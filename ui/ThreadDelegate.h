#pragma once
// The Subject cell of a threaded message list: indented by the message's
// depth in its conversation, an arrow on a conversation's head (a click on
// it expands or collapses), and on a collapsed one the number of messages
// and of unread ones. Without threads it paints as a plain cell.
// Thread: GUI.
#include <QStyledItemDelegate>

namespace heron::ui {

class ThreadDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static constexpr int kIndent = 14;   // pixels per level
    static constexpr int kMaxLevels = 12; // deeper replies line up at the last level
    // Where the arrow of this cell is (empty when it has none).
    static QRect arrowRect(const QStyleOptionViewItem &option, const QModelIndex &index);

Q_SIGNALS:
    void toggleRequested(int row);

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;
};

} // namespace heron::ui
