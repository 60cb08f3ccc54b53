#include "OutboxPane.h"
#include "PlainText.h"

#include "compose/Outbox.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
QString stateText(const QString &state)
{
    if (state == QLatin1String("queued")) return QObject::tr("Waiting to be sent");
    if (state == QLatin1String("sending") || state == QLatin1String("claimed")) return QObject::tr("Sending");
    if (state == QLatin1String("sent") || state == QLatin1String("filing")) return QObject::tr("Sent; filing a copy in Sent");
    if (state == QLatin1String("failed")) return QObject::tr("Refused by the server");
    if (state == QLatin1String("unknown")) return QObject::tr("Unknown whether sent");
    return state;
}
} // namespace

OutboxPane::OutboxPane(store::MailStore *store, QWidget *parent) : QWidget(parent), m_store(store)
{
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_list = new QTreeWidget(this);
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("State"), tr("To"), tr("Subject"), tr("Problem")});
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    m_list->setColumnWidth(0, 190);
    m_list->setColumnWidth(1, 200);
    m_list->setColumnWidth(2, 220);
    layout->addWidget(m_list, 1);
    auto *buttons = new QHBoxLayout;
    m_retry = new QPushButton(tr("Send Again"), this);
    m_discard = new QPushButton(tr("Discard"), this);
    m_retry->setObjectName(QStringLiteral("retry"));
    m_discard->setObjectName(QStringLiteral("discard"));
    buttons->addStretch(1);
    buttons->addWidget(m_retry);
    buttons->addWidget(m_discard);
    layout->addLayout(buttons);
    connect(m_retry, &QPushButton::clicked, this, &OutboxPane::retrySelected);
    connect(m_discard, &QPushButton::clicked, this, &OutboxPane::discardSelected);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, [this] {
        bool canRetry = false, canDiscard = false;
        for (QTreeWidgetItem *i : m_list->selectedItems()) {
            const QString st = i->data(0, Qt::UserRole + 1).toString();
            canRetry |= st == QLatin1String("failed") || st == QLatin1String("unknown");
            canDiscard |= st != QLatin1String("sending") && st != QLatin1String("claimed");
        }
        m_retry->setEnabled(canRetry);
        m_discard->setEnabled(canDiscard);
    });
}

void OutboxPane::setAccount(qint64 accountId)
{
    m_account = accountId;
    refresh();
}

void OutboxPane::refresh()
{
    m_list->clear();
    const auto entries = compose::Outbox(*m_store).entries(m_account);
    m_title->setText(entries.empty() ? tr("<b>Outbox</b> — nothing waiting to be sent.")
                                     : tr("<b>Outbox</b> — messages are sent as soon as the server can be reached. "
                                          "Heron never sends a message twice by itself."));
    for (const compose::OutboxEntry &e : entries) {
        auto *item = new QTreeWidgetItem({stateText(e.state), e.recipients.join(QStringLiteral(", ")), e.subject, e.error});
        item->setData(0, Qt::UserRole, QVariant::fromValue<qint64>(e.id));
        item->setData(0, Qt::UserRole + 1, e.state);
        item->setToolTip(3, plainToolTip(e.error));
        if (e.state == QLatin1String("failed") || e.state == QLatin1String("unknown"))
            for (int c = 0; c < 4; ++c) item->setForeground(c, QColor(0xc5, 0x30, 0x30));
        m_list->addTopLevelItem(item);
    }
    m_retry->setEnabled(false);
    m_discard->setEnabled(false);
}

void OutboxPane::retrySelected()
{
    compose::Outbox outbox(*m_store);
    bool any = false;
    for (QTreeWidgetItem *i : m_list->selectedItems()) any |= outbox.retry(i->data(0, Qt::UserRole).toLongLong());
    refresh();
    if (any) Q_EMIT changed(m_account, true);
}

void OutboxPane::discardSelected()
{
    const auto items = m_list->selectedItems();
    if (items.isEmpty()) return;
    if (plainMessageBox(QMessageBox::Question, this, tr("Discard"), tr("Discard the selected unsent message(s)?"),
                              QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Discard)
        return;
    compose::Outbox outbox(*m_store);
    for (QTreeWidgetItem *i : items) outbox.discard(i->data(0, Qt::UserRole).toLongLong());
    refresh();
    Q_EMIT changed(m_account, false);
}

} // namespace heron::ui
