#include "QueuedChangesDialog.h"
#include "PlainText.h"

#include "net/ImapResponse.h"
#include "store/MailStore.h"
#include "util/ErrorText.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
QString messages(int n)
{
    return n == 1 ? QObject::tr("1 message") : QObject::tr("%1 messages").arg(n);
}

QString describe(const store::PendingOp &op)
{
    const int n = int(op.uids.size());
    if (op.kind == QLatin1String("flags+") || op.kind == QLatin1String("flags-")) {
        const int f = op.arg.toInt();
        const bool add = op.kind == QLatin1String("flags+");
        QString what = f & Flag::Seen ? (add ? QObject::tr("Mark as read") : QObject::tr("Mark as unread"))
                     : f & Flag::Flagged ? (add ? QObject::tr("Flag") : QObject::tr("Remove flag"))
                     : f & Flag::Junk ? (add ? QObject::tr("Mark as junk") : QObject::tr("Mark as not junk"))
                     : QObject::tr("Change flags");
        return QObject::tr("%1 (%2)").arg(what, messages(n));
    }
    if (op.kind == QLatin1String("move"))
        return QObject::tr("Move %1 to %2").arg(messages(n), net::decodeMailboxName(op.arg.toLatin1()));
    if (op.kind == QLatin1String("copy"))
        return QObject::tr("Copy %1 to %2").arg(messages(n), net::decodeMailboxName(op.arg.toLatin1()));
    if (op.kind == QLatin1String("expunge")) return QObject::tr("Delete %1 for good").arg(messages(n));
    if (op.kind == QLatin1String("create")) return QObject::tr("Create the folder");
    if (op.kind == QLatin1String("rename"))
        return QObject::tr("Rename the folder to %1").arg(net::decodeMailboxName(op.arg.toLatin1()));
    if (op.kind == QLatin1String("delete-folder")) return QObject::tr("Delete the folder");
    return op.kind;
}
} // namespace

QueuedChangesDialog::QueuedChangesDialog(store::MailStore *store, QWidget *parent) : QDialog(parent), m_store(store)
{
    setWindowTitle(tr("Queued Changes"));
    setObjectName(QStringLiteral("queuedChanges"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Changes waiting for a server, and those a server refused. A refused change can be "
                                "tried again, or given up: the folder then shows what the server has."), this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);
    layout->addWidget(intro);
    m_list = new QTreeWidget(this);
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Account"), tr("Change"), tr("Folder"), tr("State"), tr("Problem")});
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->header()->setSectionResizeMode(4, QHeaderView::Stretch);
    m_list->setColumnWidth(0, 120);
    m_list->setColumnWidth(1, 230);
    m_list->setColumnWidth(2, 120);
    m_list->setColumnWidth(3, 110);
    layout->addWidget(m_list, 1);
    auto *buttons = new QHBoxLayout;
    m_retry = new QPushButton(tr("Retry"), this);
    m_discard = new QPushButton(tr("Discard"), this);
    m_retry->setObjectName(QStringLiteral("retry"));
    m_discard->setObjectName(QStringLiteral("discard"));
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addWidget(m_retry);
    buttons->addWidget(m_discard);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(m_retry, &QPushButton::clicked, this, &QueuedChangesDialog::retrySelected);
    connect(m_discard, &QPushButton::clicked, this, &QueuedChangesDialog::discardSelected);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &QueuedChangesDialog::updateButtons);
    resize(820, 360);
    refresh();
}

void QueuedChangesDialog::refresh()
{
    // Refreshed while the user works in it (every sync step): the selection stays.
    QSet<qint64> selected;
    for (QTreeWidgetItem *i : m_list->selectedItems()) selected.insert(i->data(0, Qt::UserRole).toLongLong());
    m_list->clear();
    try {
        for (const AccountConfig &a : m_store->accounts()) {
            for (const store::PendingOp &op : m_store->pendingOps(a.id, true)) {
                const bool failed = op.state == QLatin1String("failed");
                auto *item = new QTreeWidgetItem({a.name, describe(op), net::decodeMailboxName(op.mailbox.toLatin1()),
                                                  failed ? tr("Refused") : tr("Waiting"), op.error});
                item->setData(0, Qt::UserRole, qint64(op.id));
                item->setData(0, Qt::UserRole + 1, qint64(a.id));
                item->setData(0, Qt::UserRole + 2, failed);
                item->setToolTip(4, plainToolTip(op.error));
                if (failed) item->setIcon(3, QIcon(QStringLiteral(":/icons/status-error.svg")));
                m_list->addTopLevelItem(item);
                if (selected.contains(qint64(op.id))) item->setSelected(true);
            }
        }
    } catch (...) {
        plainMessageBox(QMessageBox::Warning, this, windowTitle(), util::describeCurrentException().message);
    }
    updateButtons();
}

void QueuedChangesDialog::updateButtons()
{
    bool anyFailed = false;
    for (QTreeWidgetItem *i : m_list->selectedItems()) anyFailed |= i->data(0, Qt::UserRole + 2).toBool();
    m_retry->setEnabled(anyFailed);
    m_discard->setEnabled(anyFailed);
}

QList<QPair<qint64, qint64>> QueuedChangesDialog::selectedOps() const
{
    QList<QPair<qint64, qint64>> out; // (operation, account)
    for (QTreeWidgetItem *i : m_list->selectedItems())
        if (i->data(0, Qt::UserRole + 2).toBool())
            out.append({i->data(0, Qt::UserRole).toLongLong(), i->data(0, Qt::UserRole + 1).toLongLong()});
    return out;
}

void QueuedChangesDialog::apply(const QList<QPair<qint64, qint64>> &ops, bool retry)
{
    QSet<qint64> accounts;
    try {
        for (const auto &[op, account] : ops)
            if (retry ? m_store->retryOp(op) : m_store->discardOp(op)) accounts.insert(account);
    } catch (...) {
        plainMessageBox(QMessageBox::Warning, this, windowTitle(), util::describeCurrentException().message);
    }
    // Also after a partial failure: what was done is acted on.
    for (qint64 a : std::as_const(accounts)) Q_EMIT changed(a, retry);
    refresh();
}

void QueuedChangesDialog::retrySelected() { apply(selectedOps(), true); }

void QueuedChangesDialog::discardSelected()
{
    // Taken before the question: the list may be refreshed while it is open.
    const QList<QPair<qint64, qint64>> ops = selectedOps();
    if (ops.isEmpty()) return;
    if (plainMessageBox(QMessageBox::Question, this, tr("Discard Changes"),
                              ops.size() == 1
                                  ? tr("Give up this change? The folder will show what the server has.")
                                  : tr("Give up these %1 changes? The folders will show what the server has.").arg(ops.size()))
        != QMessageBox::Yes)
        return;
    apply(ops, false);
}

} // namespace heron::ui
