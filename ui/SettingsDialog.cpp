#include "SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace heron::ui {

RemoteContentPolicy remoteContentPolicy(const QSettings &settings)
{
    const QString v = settings.value(QStringLiteral("privacy/remoteContent"), QStringLiteral("ask")).toString();
    if (v == QLatin1String("never")) return RemoteContentPolicy::Never;
    if (v == QLatin1String("known")) return RemoteContentPolicy::KnownSenders;
    return RemoteContentPolicy::Ask;
}

SettingsDialog::SettingsDialog(QSettings *settings, QWidget *parent) : QDialog(parent), m_settings(settings)
{
    setWindowTitle(tr("Settings"));
    setMinimumWidth(520);
    auto *layout = new QVBoxLayout(this);

    auto *reading = new QGroupBox(tr("Reading"), this);
    auto *readForm = new QFormLayout(reading);
    auto *markRow = new QHBoxLayout;
    m_markRead = new QCheckBox(tr("Mark messages as read after"), reading);
    m_delay = new QDoubleSpinBox(reading);
    m_delay->setRange(0, 60);
    m_delay->setDecimals(1);
    m_delay->setSingleStep(0.5);
    m_delay->setSuffix(tr(" seconds"));
    markRow->addWidget(m_markRead);
    markRow->addWidget(m_delay);
    markRow->addStretch();
    readForm->addRow(markRow);
    m_remote = new QComboBox(reading);
    m_remote->addItem(tr("Never load them"), QStringLiteral("never"));
    m_remote->addItem(tr("Ask for each message"), QStringLiteral("ask"));
    m_remote->addItem(tr("Load them from people I wrote to and senders I allowed"), QStringLiteral("known"));
    readForm->addRow(tr("Remote images:"), m_remote);
    auto *remoteHint = new QLabel(tr("Remote images tell the sender when and where you read a message."), reading);
    remoteHint->setWordWrap(true);
    remoteHint->setStyleSheet(QStringLiteral("QLabel { color: #718096; }"));
    readForm->addRow(QString(), remoteHint);
    layout->addWidget(reading);

    auto *general = new QGroupBox(tr("Starting and writing"), this);
    auto *generalLayout = new QVBoxLayout(general);
    m_offline = new QCheckBox(tr("Start in offline mode (connect only when asked)"), general);
    m_rich = new QCheckBox(tr("Write new messages in rich text (sent with a plain-text copy)"), general);
    generalLayout->addWidget(m_offline);
    generalLayout->addWidget(m_rich);
    layout->addWidget(general);
    auto *accounts = new QLabel(tr("Servers, check interval, POP3 policy and identities are set per account: "
                                   "File → Account Settings…"), this);
    accounts->setWordWrap(true);
    accounts->setStyleSheet(QStringLiteral("QLabel { color: #718096; }"));
    layout->addWidget(accounts);
    layout->addStretch();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    const int delay = m_settings->value(QStringLiteral("general/markReadDelayMs"), 1500).toInt();
    m_markRead->setChecked(delay >= 0);
    m_delay->setValue(delay >= 0 ? delay / 1000.0 : 1.5);
    m_delay->setEnabled(delay >= 0);
    connect(m_markRead, &QCheckBox::toggled, m_delay, &QWidget::setEnabled);
    m_remote->setCurrentIndex(int(remoteContentPolicy(*m_settings)));
    m_offline->setChecked(m_settings->value(QStringLiteral("general/startOffline"), false).toBool());
    m_rich->setChecked(m_settings->value(QStringLiteral("compose/richText"), false).toBool());
}

void SettingsDialog::accept()
{
    m_settings->setValue(QStringLiteral("general/markReadDelayMs"), m_markRead->isChecked() ? int(m_delay->value() * 1000) : -1);
    m_settings->setValue(QStringLiteral("privacy/remoteContent"), m_remote->currentData().toString());
    m_settings->setValue(QStringLiteral("general/startOffline"), m_offline->isChecked());
    m_settings->setValue(QStringLiteral("compose/richText"), m_rich->isChecked());
    m_settings->sync();
    QDialog::accept();
}

} // namespace heron::ui
