#include "ThreadDelegate.h"

#include "ItemRoles.h"
#include "MessageListModel.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

namespace heron::ui {

namespace {
using State = MessageListModel::ThreadState;

State stateOf(const QModelIndex &index) { return State(index.data(ThreadStateRole).toInt()); }

bool threadedList(const QModelIndex &index)
{
    auto *model = qobject_cast<const MessageListModel *>(index.model());
    return model && model->threaded();
}

int indentOf(const QModelIndex &index)
{
    const int depth = std::min(index.data(ThreadDepthRole).toInt(), ThreadDelegate::kMaxLevels);
    return depth * ThreadDelegate::kIndent;
}

QString countText(const QModelIndex &index)
{
    const int size = index.data(ThreadSizeRole).toInt();
    const int unread = index.data(ThreadUnreadRole).toInt();
    return unread > 0 ? QStringLiteral("%1 (%2)").arg(size).arg(unread) : QString::number(size);
}
} // namespace

QRect ThreadDelegate::arrowRect(const QStyleOptionViewItem &option, const QModelIndex &index)
{
    const State s = stateOf(index);
    if (!threadedList(index) || (s != State::Collapsed && s != State::Expanded)) return {};
    const int h = option.rect.height();
    return QRect(option.rect.left() + indentOf(index), option.rect.top(), kIndent, h);
}

void ThreadDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (!threadedList(index)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // The background (selection, hover) spans the whole cell.
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const State s = stateOf(index);
    const int indent = indentOf(index);
    if (s == State::Collapsed || s == State::Expanded) {
        QStyleOption arrow;
        arrow.rect = arrowRect(option, index).adjusted(2, 0, -2, 0);
        arrow.palette = opt.palette;
        arrow.state = QStyle::State_Enabled | (opt.state & QStyle::State_Selected);
        painter->save();
        if (opt.state & QStyle::State_Selected) painter->setPen(opt.palette.color(QPalette::HighlightedText));
        style->drawPrimitive(s == State::Collapsed ? QStyle::PE_IndicatorArrowRight : QStyle::PE_IndicatorArrowDown, &arrow,
                             painter, widget);
        painter->restore();
    }
    QRect text = option.rect.adjusted(indent + kIndent, 0, 0, 0);
    if (s == State::Collapsed) {
        // "5 (2)": five messages, two unread, at the right of the subject.
        const QString count = countText(index);
        QFont f = opt.font;
        f.setBold(index.data(ThreadUnreadRole).toInt() > 0);
        const QFontMetrics fm(f);
        const int w = fm.horizontalAdvance(count) + 12;
        const QRect badge(option.rect.right() - w, option.rect.top(), w, option.rect.height());
        painter->save();
        painter->setFont(f);
        const QPalette::ColorRole role = (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text;
        painter->setPen(opt.palette.color(QPalette::Active, role));
        painter->drawText(badge.adjusted(0, 0, -6, 0), Qt::AlignRight | Qt::AlignVCenter, count);
        painter->restore();
        text.setRight(badge.left());
    }
    opt.rect = text;
    opt.showDecorationSelected = false;
    // The text on its own: the background is painted already.
    opt.backgroundBrush = Qt::NoBrush;
    QStyleOptionViewItem textOnly = opt;
    textOnly.state &= ~(QStyle::State_HasFocus);
    style->drawControl(QStyle::CE_ItemViewItem, &textOnly, painter, widget);
}

QSize ThreadDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (threadedList(index)) s.rwidth() += indentOf(index) + kIndent;
    return s;
}

bool ThreadDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                 const QModelIndex &index)
{
    if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick) {
        auto *me = static_cast<QMouseEvent *>(event);
        if (me->button() == Qt::LeftButton && arrowRect(option, index).contains(me->position().toPoint())) {
            // The press toggles; the second press of a double click is
            // swallowed (a habitual double click opens it, and does not open
            // the message either).
            if (event->type() == QEvent::MouseButtonPress) Q_EMIT toggleRequested(index.row());
            return true;
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace heron::ui
