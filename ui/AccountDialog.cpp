#include "AccountDialog.h"

#include "compose/MessageComposer.h"

#include <QCheckBox>
#include <algorithm>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
QComboBox *securityCombo(QWidget *parent)
{
    auto *c = new QComboBox(parent);
    c->addItem(QObject::tr("TLS (recommended)"), QStringLiteral("tls"));
    c->addItem(QObject::tr("STARTTLS (required)"), QStringLiteral("starttls"));
    c->addItem(QObject::tr("None — unencrypted, not recommended"), QStringLiteral("none"));
    return c;
}
QSpinBox *portBox(QWidget *parent)
{
    auto *s = new QSpinBox(parent);
    s->setRange(1, 65535);
    return s;
}
} // namespace

AccountDialog::AccountDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Add Account"));
    setMinimumWidth(520);
    auto *layout = m_layout = new QVBoxLayout(this);
    auto *id = m_idForm = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("e.g. Work"));
    m_email = new QLineEdit(this);
    m_email->setPlaceholderText(tr("you@example.org"));
    m_user = new QLineEdit(this);
    m_user->setPlaceholderText(tr("usually your e-mail address"));
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    id->addRow(tr("Account name:"), m_name);
    id->addRow(tr("E-mail address:"), m_email);
    id->addRow(tr("User name:"), m_user);
    id->addRow(tr("Password:"), m_password);
    layout->addLayout(id);
    m_storePassword = new QComboBox(this);
    m_storePassword->addItem(tr("Remember it in the system keyring"), int(PasswordStorage::Keyring));
    m_storePassword->addItem(tr("Ask for it once per session"), int(PasswordStorage::Session));
    m_storePassword->addItem(tr("Store it in this profile, unencrypted (not recommended)"), int(PasswordStorage::Profile));
    id->addRow(tr("Password kept:"), m_storePassword);

    auto *in = new QGroupBox(tr("Incoming mail"), this);
    auto *inForm = m_inForm = new QFormLayout(in);
    m_protocol = new QComboBox(in);
    m_protocol->addItem(QStringLiteral("IMAP"), QStringLiteral("imap"));
    m_protocol->addItem(QStringLiteral("POP3"), QStringLiteral("pop3"));
    m_host = new QLineEdit(in);
    m_security = securityCombo(in);
    m_port = portBox(in);
    m_popPolicy = new QComboBox(in);
    m_popPolicy->addItem(tr("Leave messages on the server"), QStringLiteral("leave"));
    m_popPolicy->addItem(tr("Delete from the server after download"), QStringLiteral("delete"));
    m_popPolicy->addItem(tr("Delete from the server after some days"), QStringLiteral("days"));
    m_popPolicy->addItem(tr("Delete from the server when deleted here"), QStringLiteral("mirror"));
    m_keepDays = new QSpinBox(in);
    m_keepDays->setRange(1, 3650);
    m_keepDays->setValue(14);
    m_keepDays->setSuffix(tr(" days"));
    inForm->addRow(tr("Protocol:"), m_protocol);
    inForm->addRow(tr("Server:"), m_host);
    inForm->addRow(tr("Security:"), m_security);
    inForm->addRow(tr("Port:"), m_port);
    m_interval = new QSpinBox(in);
    m_interval->setRange(1, 1440);
    m_interval->setValue(5);
    m_interval->setSuffix(tr(" minutes"));
    inForm->addRow(tr("Check every:"), m_interval);
    inForm->addRow(tr("On the server:"), m_popPolicy);
    inForm->addRow(QString(), m_keepDays);
    // What stays readable without a network (IMAP; POP3 keeps everything).
    m_offline = new QComboBox(in);
    m_offline->setObjectName(QStringLiteral("offlinePolicy"));
    m_offline->addItem(tr("Messages of the last…"), 1);
    m_offline->addItem(tr("All messages"), -1);
    m_offline->addItem(tr("Headers only (download when opened)"), 0);
    m_offlineDays = new QSpinBox(in);
    m_offlineDays->setObjectName(QStringLiteral("offlineDays"));
    m_offlineDays->setRange(1, 36500);
    m_offlineDays->setValue(90);
    m_offlineDays->setSuffix(tr(" days"));
    inForm->addRow(tr("Keep for offline use:"), m_offline);
    inForm->addRow(QString(), m_offlineDays);
    m_usage = new QLabel(in);
    m_usage->setObjectName(QStringLiteral("offlineUsage"));
    inForm->addRow(tr("On this computer:"), m_usage);
    inForm->setRowVisible(m_usage, false);
    m_maxSize = new QSpinBox(in);
    m_maxSize->setObjectName(QStringLiteral("maxMessageSize"));
    m_maxSize->setRange(1, 4096);
    m_maxSize->setValue(100);
    m_maxSize->setSuffix(tr(" MB"));
    m_maxSize->setToolTip(tr("Larger messages stay on the server; Heron says so instead of downloading them."));
    inForm->addRow(tr("Largest message:"), m_maxSize);
    layout->addWidget(in);

    auto *out = new QGroupBox(tr("Outgoing mail (SMTP)"), this);
    auto *outForm = new QFormLayout(out);
    m_smtpHost = new QLineEdit(out);
    m_smtpSecurity = securityCombo(out);
    m_smtpPort = portBox(out);
    outForm->addRow(tr("Server:"), m_smtpHost);
    outForm->addRow(tr("Security:"), m_smtpSecurity);
    outForm->addRow(tr("Port:"), m_smtpPort);
    layout->addWidget(out);

    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText); // server and message text: never markup
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #c53030; }"));
    m_problem->setWordWrap(true);
    m_problem->hide();
    layout->addWidget(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons = buttons;
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Add Account"));
    connect(buttons, &QDialogButtonBox::accepted, this, &AccountDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_protocol, &QComboBox::currentIndexChanged, this, &AccountDialog::updateDefaults);
    connect(m_security, &QComboBox::currentIndexChanged, this, &AccountDialog::updateDefaults);
    connect(m_smtpSecurity, &QComboBox::currentIndexChanged, this, &AccountDialog::updateDefaults);
    connect(m_popPolicy, &QComboBox::currentIndexChanged, this, &AccountDialog::updateDefaults);
    connect(m_offline, &QComboBox::currentIndexChanged, this, [this] {
        const bool pop = m_protocol->currentData() == QLatin1String("pop3");
        m_inForm->setRowVisible(m_offlineDays, !pop && m_offline->currentData().toInt() > 0);
    });
    connect(m_email, &QLineEdit::textEdited, this, [this](const QString &e) {
        // Suggest the usual names until the user types their own.
        const QString domain = e.section(QLatin1Char('@'), 1);
        if (!m_user->isModified()) m_user->setText(e);
        if (!m_host->isModified() && !domain.isEmpty())
            m_host->setText((m_protocol->currentData() == QLatin1String("pop3") ? QStringLiteral("pop.") : QStringLiteral("imap.")) + domain);
        if (!m_smtpHost->isModified() && !domain.isEmpty()) m_smtpHost->setText(QStringLiteral("smtp.") + domain);
        if (!m_name->isModified()) m_name->setText(e);
    });
    updateDefaults();
}

void AccountDialog::updateDefaults()
{
    const bool pop = m_protocol->currentData() == QLatin1String("pop3");
    const QString sec = m_security->currentData().toString();
    m_port->setValue(pop ? (sec == QLatin1String("tls") ? 995 : 110) : (sec == QLatin1String("tls") ? 993 : 143));
    const QString ssec = m_smtpSecurity->currentData().toString();
    m_smtpPort->setValue(ssec == QLatin1String("tls") ? 465 : 587);
    m_inForm->setRowVisible(m_popPolicy, pop);
    m_inForm->setRowVisible(m_keepDays, pop && m_popPolicy->currentData() == QLatin1String("days"));
    m_inForm->setRowVisible(m_offline, !pop);
    m_inForm->setRowVisible(m_offlineDays, !pop && m_offline->currentData().toInt() > 0);
    m_insecureConfirmed = false;
}

void AccountDialog::setAccount(const AccountConfig &a)
{
    m_id = a.id;
    m_interval->setValue(std::max(1, a.checkIntervalSeconds / 60));
    m_name->setText(a.name);
    m_email->setText(a.email);
    m_user->setText(a.username);
    m_host->setText(a.incoming.host);
    m_smtpHost->setText(a.smtp.host);
    for (QLineEdit *e : {m_name, m_email, m_user, m_host, m_smtpHost}) e->setModified(true); // no more suggestions
    auto select = [](QComboBox *box, const QString &value) {
        const int i = box->findData(value);
        if (i >= 0) box->setCurrentIndex(i);
    };
    select(m_protocol, a.protocol.isEmpty() ? QStringLiteral("imap") : a.protocol);
    select(m_security, securityName(a.incoming.security));
    select(m_smtpSecurity, securityName(a.smtp.security));
    select(m_popPolicy, a.pop3Policy);
    if (a.pop3KeepDays > 0) m_keepDays->setValue(a.pop3KeepDays);
    m_offline->setCurrentIndex(m_offline->findData(a.offlineDays > 0 ? 1 : a.offlineDays));
    if (a.offlineDays > 0) m_offlineDays->setValue(a.offlineDays);
    m_maxSize->setValue(std::clamp(a.maxMessageMB, 1, 4096));
    updateDefaults(); // ports follow the choices above; then the real ones
    if (a.incoming.port > 0) m_port->setValue(a.incoming.port);
    if (a.smtp.port > 0) m_smtpPort->setValue(a.smtp.port);
    // Settings that were chosen before need no new confirmation.
    m_insecureConfirmed = a.incoming.security == Security::None || a.smtp.security == Security::None;
}

void AccountDialog::setPasswordVisible(bool visible)
{
    m_idForm->setRowVisible(m_password, visible);
    m_idForm->setRowVisible(m_storePassword, visible);
}

void AccountDialog::setEditing(bool editing)
{
    setWindowTitle(editing ? tr("Account Settings") : tr("Add Account"));
    m_ok->setText(editing ? tr("Save") : tr("Add Account"));
    m_name->setReadOnly(editing);
    m_protocol->setEnabled(!editing); // the cache is shaped by the protocol
    m_name->setToolTip(editing ? tr("The name identifies the account (and its saved password); it cannot be changed here.") : QString());
    if (editing) setPasswordVisible(false);
}

void AccountDialog::setFolderChoices(const QList<QPair<QString, QString>> &folders, const QHash<QString, QString> &automatic,
                                     const QHash<QString, QString> &chosen)
{
    auto *box = new QGroupBox(tr("Special folders"), this);
    auto *form = new QFormLayout(box);
    const std::pair<const char *, QString> roles[] = {
        {"\\Sent", tr("Sent messages:")}, {"\\Drafts", tr("Drafts:")}, {"\\Trash", tr("Deleted messages:")},
        {"\\Archive", tr("Archive:")}, {"\\Junk", tr("Junk:")}};
    for (const auto &[roleName, label] : roles) {
        const QString role = QString::fromLatin1(roleName);
        auto *combo = new QComboBox(box);
        const QString autoName = automatic.value(role);
        combo->addItem(autoName.isEmpty() ? tr("Automatic (the server names none)") : tr("Automatic (%1)").arg(autoName), QString());
        for (const auto &f : folders) combo->addItem(f.first, f.second);
        const int i = combo->findData(chosen.value(role));
        combo->setCurrentIndex(i >= 0 ? i : 0);
        form->addRow(label, combo);
        m_folderBoxes.insert(role, combo);
    }
    m_layout->insertWidget(m_layout->count() - 2, box); // above the problem line and the buttons
}

QPushButton *AccountDialog::addActionButton(const QString &text)
{
    return m_buttons->addButton(text, QDialogButtonBox::ActionRole);
}

QHash<QString, QString> AccountDialog::folderChoices() const
{
    QHash<QString, QString> out;
    for (auto it = m_folderBoxes.begin(); it != m_folderBoxes.end(); ++it) out.insert(it.key(), it.value()->currentData().toString());
    return out;
}

AccountConfig AccountDialog::account() const
{
    AccountConfig a;
    a.id = m_id;
    a.checkIntervalSeconds = m_interval->value() * 60;
    a.name = m_name->text().trimmed();
    a.email = m_email->text().trimmed();
    a.protocol = m_protocol->currentData().toString();
    a.incoming.host = m_host->text().trimmed();
    a.incoming.port = m_port->value();
    parseSecurity(m_security->currentData().toString(), &a.incoming.security);
    a.username = m_user->text().trimmed().isEmpty() ? a.email : m_user->text().trimmed();
    a.smtp.host = m_smtpHost->text().trimmed();
    a.smtp.port = m_smtpPort->value();
    parseSecurity(m_smtpSecurity->currentData().toString(), &a.smtp.security);
    a.pop3Policy = m_popPolicy->currentData().toString();
    a.pop3KeepDays = a.pop3Policy == QLatin1String("days") ? m_keepDays->value() : 0;
    const int offline = m_offline->currentData().toInt();
    a.offlineDays = offline > 0 ? m_offlineDays->value() : offline;
    a.maxMessageMB = m_maxSize->value();
    return a;
}

void AccountDialog::setOfflineUsage(qint64 messages, qint64 bytes)
{
    const QString size = QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
    m_usage->setText(messages == 1 ? tr("1 message kept, %1").arg(size)
                                   : tr("%1 messages kept, %2").arg(QLocale().toString(messages), size));
    m_inForm->setRowVisible(m_usage, true);
}

QString AccountDialog::password() const { return m_password->text(); }
AccountDialog::PasswordStorage AccountDialog::passwordStorage() const
{
    return PasswordStorage(m_storePassword->currentData().toInt());
}

bool AccountDialog::validate()
{
    const AccountConfig a = account();
    QString why;
    if (a.name.isEmpty()) why = tr("Give the account a name.");
    else if (!compose::checkAddress(a.email).isEmpty()) why = tr("\"%1\" is not a valid e-mail address.").arg(a.email);
    else if (a.incoming.host.isEmpty() || a.incoming.host.contains(QLatin1Char(' '))) why = tr("Enter the incoming server's host name.");
    else if (a.smtp.host.contains(QLatin1Char(' '))) why = tr("The outgoing server's host name is not valid.");
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    return why.isEmpty();
}

void AccountDialog::accept()
{
    if (!validate()) return;
    const AccountConfig a = account();
    const bool insecure = a.incoming.security == Security::None || (!a.smtp.host.isEmpty() && a.smtp.security == Security::None);
    if (insecure && !m_insecureConfirmed) {
        if (QMessageBox::warning(this, tr("Unencrypted connection"),
                                 tr("With security \"None\", your password and all your mail cross the network in "
                                    "clear text where anyone on the way can read them. Use it only for a server on "
                                    "this computer or a network you fully trust."),
                                 QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Ok)
            return;
        m_insecureConfirmed = true;
    }
    QDialog::accept();
}

} // namespace heron::ui
