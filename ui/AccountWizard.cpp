#include "AccountWizard.h"

#include "util/ErrorText.h"

#include "CertificateDialog.h"

#include "compose/MessageComposer.h"
#include "store/MailStore.h"

#include <QApplication>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QStackedWidget>
#include <QThread>
#include <QVBoxLayout>

namespace heron::ui {

namespace {

QString securityText(Security s)
{
    switch (s) {
    case Security::Tls: return QObject::tr("TLS");
    case Security::StartTls: return QObject::tr("STARTTLS");
    case Security::None: return QObject::tr("unencrypted");
    }
    return QString();
}

QString protocolText(const QString &p) { return p == QLatin1String("pop3") ? QStringLiteral("POP3") : p.toUpper(); }

} // namespace

AccountWizard::AccountWizard(Profile profile, QWidget *parent) : QDialog(parent), m_profile(std::move(profile))
{
    setWindowTitle(tr("Add Account"));
    setMinimumSize(600, 460);
    m_options.extraAnchorsFile = m_profile.extraAnchorsPath();

    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    layout->addWidget(m_title);
    m_pages = new QStackedWidget(this);
    layout->addWidget(m_pages, 1);

    // Page 1: who you are.
    auto *first = new QWidget(m_pages);
    auto *firstLayout = new QVBoxLayout(first);
    auto *intro = new QLabel(tr("Enter your address and password. Heron finds the server settings by itself and "
                                "checks that it can log in before it saves anything."), first);
    intro->setWordWrap(true);
    firstLayout->addWidget(intro);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(first);
    m_name->setPlaceholderText(tr("shown to the people you write to"));
    m_email = new QLineEdit(first);
    m_email->setPlaceholderText(tr("you@example.org"));
    m_password = new QLineEdit(first);
    m_password->setEchoMode(QLineEdit::Password);
    m_storePassword = new QComboBox(first);
    m_storePassword->addItem(tr("Remember it in the system keyring"), int(AccountDialog::PasswordStorage::Keyring));
    m_storePassword->addItem(tr("Ask for it once per session"), int(AccountDialog::PasswordStorage::Session));
    m_storePassword->addItem(tr("Store it in this profile, unencrypted (not recommended)"), int(AccountDialog::PasswordStorage::Profile));
    form->addRow(tr("Your name:"), m_name);
    form->addRow(tr("E-mail address:"), m_email);
    form->addRow(tr("Password:"), m_password);
    form->addRow(tr("Password kept:"), m_storePassword);
    firstLayout->addLayout(form);
    firstLayout->addStretch();
    m_pages->addWidget(first);

    // Page 2: what was tried, what was found, whether the login works.
    auto *second = new QWidget(m_pages);
    auto *secondLayout = new QVBoxLayout(second);
    m_steps = new QListWidget(second);
    m_steps->setObjectName(QStringLiteral("discoverySteps"));
    m_steps->setWordWrap(true);
    m_steps->setIconSize(QSize(16, 16));
    secondLayout->addWidget(m_steps, 1);
    m_incoming = new QLabel(second);
    m_outgoing = new QLabel(second);
    for (QLabel *l : {m_incoming, m_outgoing}) {
        l->setWordWrap(true);
        l->setTextFormat(Qt::RichText);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        secondLayout->addWidget(l);
    }
    auto *settingsRow = new QHBoxLayout;
    m_edit = new QPushButton(tr("Edit Settings…"), second);
    m_trust = new QPushButton(tr("Trust This Certificate…"), second);
    m_trust->hide();
    settingsRow->addWidget(m_edit);
    settingsRow->addWidget(m_trust);
    settingsRow->addStretch();
    secondLayout->addLayout(settingsRow);
    m_pages->addWidget(second);

    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText); // server and message text: never markup
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #c53030; }"));
    m_problem->setWordWrap(true);
    m_problem->hide();
    layout->addWidget(m_problem);

    auto *buttons = new QHBoxLayout;
    m_manual = new QPushButton(tr("Set Up Manually…"), this);
    m_back = new QPushButton(tr("Back"), this);
    m_next = new QPushButton(this);
    m_next->setDefault(true);
    auto *cancel = new QPushButton(tr("Cancel"), this);
    buttons->addWidget(m_manual);
    buttons->addStretch();
    buttons->addWidget(m_back);
    buttons->addWidget(m_next);
    buttons->addWidget(cancel);
    layout->addLayout(buttons);

    connect(m_next, &QPushButton::clicked, this, &AccountWizard::next);
    connect(m_back, &QPushButton::clicked, this, &AccountWizard::back);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_edit, &QPushButton::clicked, this, &AccountWizard::editSettings);
    connect(m_trust, &QPushButton::clicked, this, &AccountWizard::trustCertificate);
    connect(m_manual, &QPushButton::clicked, this, [this] {
        AccountConfig partial = m_account;
        if (partial.email.isEmpty()) partial.email = m_email->text().trimmed();
        if (partial.name.isEmpty() && !m_name->text().trimmed().isEmpty())
            partial.name = QStringLiteral("%1 (%2)").arg(m_name->text().trimmed(), partial.email);
        Q_EMIT manualSetupRequested(partial, m_password->text());
        reject();
    });
    updateButtons();
}

AccountWizard::~AccountWizard()
{
    ++m_checkGeneration; // a login still running reports to nobody
}

void AccountWizard::setDiscoveryOptions(const DiscoveryOptions &options) { m_options = options; }

QString AccountWizard::password() const { return m_password->text(); }

AccountDialog::PasswordStorage AccountWizard::passwordStorage() const
{
    return AccountDialog::PasswordStorage(m_storePassword->currentData().toInt());
}

void AccountWizard::updateButtons()
{
    const bool first = m_pages->currentIndex() == 0;
    m_title->setText(first ? tr("Add a mail account") : tr("Settings for %1").arg(m_account.email));
    m_back->setVisible(!first);
    const bool searching = m_discovery && m_discovery->isRunning();
    const bool ok = m_inCheck && m_inCheck->ok() && m_outCheck && m_outCheck->ok();
    if (first) {
        m_next->setText(tr("Continue"));
        m_next->setEnabled(true);
    } else if (ok) {
        m_next->setText(tr("Add Account"));
        m_next->setEnabled(true);
    } else if (!m_unconfirmed.isEmpty()) {
        m_next->setText(tr("Use These Servers"));
        m_next->setEnabled(!searching);
    } else {
        m_next->setText(tr("Check Again"));
        m_next->setEnabled(!searching && !m_checking && !m_account.incoming.host.isEmpty() && !m_account.smtp.host.isEmpty());
    }
    m_edit->setEnabled(!searching && !m_checking);
    const bool certProblem = !m_checking && ((m_inCheck && m_inCheck->stage == CheckOutcome::Certificate) ||
                                             (m_outCheck && m_outCheck->stage == CheckOutcome::Certificate));
    m_trust->setVisible(certProblem);
}

void AccountWizard::addStep(const QString &text, const QString &icon)
{
    auto *item = new QListWidgetItem(QIcon(icon.isEmpty() ? QStringLiteral(":/icons/status-step.svg") : icon), text.trimmed(), m_steps);
    m_steps->scrollToItem(item);
}

void AccountWizard::next()
{
    if (m_pages->currentIndex() == 0) {
        const QString email = m_email->text().trimmed();
        QString why;
        if (m_name->text().trimmed().isEmpty()) why = tr("Enter your name as it should appear on your messages.");
        else if (!compose::checkAddress(email).isEmpty()) why = tr("\"%1\" is not a valid e-mail address.").arg(email);
        else if (m_password->text().isEmpty()) why = tr("Enter your password.");
        m_problem->setText(why);
        m_problem->setVisible(!why.isEmpty());
        if (!why.isEmpty()) return;
        m_account = AccountConfig();
        m_account.email = email;
        m_account.name = QStringLiteral("%1 (%2)").arg(m_name->text().trimmed(), email);
        m_pages->setCurrentIndex(1);
        startDiscovery();
        return;
    }
    if (m_inCheck && m_inCheck->ok() && m_outCheck && m_outCheck->ok()) {
        accept();
        return;
    }
    if (!m_unconfirmed.isEmpty()) { // "Use These Servers": the user said yes
        m_confirmed << m_unconfirmed;
        m_unconfirmed.clear();
    }
    startCheck();
}

void AccountWizard::back()
{
    ++m_checkGeneration;
    m_checking = false;
    if (m_discovery) m_discovery->cancel();
    m_pages->setCurrentIndex(0);
    m_problem->hide();
    updateButtons();
}

void AccountWizard::startDiscovery()
{
    m_steps->clear();
    m_inCheck.reset();
    m_outCheck.reset();
    m_inSource.clear();
    m_outSource.clear();
    m_inTrust.clear();
    m_outTrust.clear();
    m_unconfirmed.clear();
    m_problem->hide();
    m_discovery = std::make_unique<AutoDiscovery>(m_options);
    connect(m_discovery.get(), &AutoDiscovery::step, this, [this](const QString &s) { addStep(s); });
    connect(m_discovery.get(), &AutoDiscovery::finished, this, &AccountWizard::discovered);
    m_discovery->start(m_account.email);
    showSettings();
    updateButtons();
}

void AccountWizard::discovered(const DiscoveryResult &result)
{
    if (result.incoming) {
        m_account.protocol = result.incoming->protocol;
        m_account.incoming = result.incoming->server;
        m_inUsers = result.incoming->usernames;
        m_account.username = m_inUsers.value(0, m_account.email);
        m_inSource = result.incoming->source;
        m_inTrust = result.incoming->trust;
        if (result.incoming->needsConfirmation && !m_confirmed.contains(result.incoming->server.host))
            m_unconfirmed << result.incoming->server.host;
    }
    if (result.outgoing) {
        m_account.smtp = result.outgoing->server;
        m_outUsers = result.outgoing->usernames;
        m_outSource = result.outgoing->source;
        m_outTrust = result.outgoing->trust;
        if (result.outgoing->needsConfirmation && !m_confirmed.contains(result.outgoing->server.host) &&
            !m_unconfirmed.contains(result.outgoing->server.host))
            m_unconfirmed << result.outgoing->server.host;
    }
    if (m_account.protocol.isEmpty()) m_account.protocol = QStringLiteral("imap");
    QMetaObject::invokeMethod(this, [this] { updateButtons(); }, Qt::QueuedConnection); // after isRunning() turned false
    if (result.complete() && !m_unconfirmed.isEmpty()) {
        // RFC 6186 section 6: a server named by DNS outside the domain could be
        // anyone's. Shown; nothing is sent until the user says yes.
        addStep(tr("Settings found in DNS, outside %1: waiting for your confirmation.").arg(m_account.email.section(QLatin1Char('@'), 1)),
                QStringLiteral(":/icons/status-error.svg"));
        m_problem->setText(tr("DNS names %1 as the mail server for %2, but it is not part of %2. DNS answers can be forged by "
                              "anyone on your network. Your password is sent only after you choose \"Use These Servers\"; "
                              "if your provider did not tell you to use %1, choose \"Edit Settings…\" instead.")
                               .arg(m_unconfirmed.join(QStringLiteral(", ")), m_account.email.section(QLatin1Char('@'), 1)));
        m_problem->show();
        showSettings();
    } else if (result.complete()) {
        addStep(tr("Settings found. Logging in to check them…"), QStringLiteral(":/icons/status-ok.svg"));
        QMetaObject::invokeMethod(this, &AccountWizard::startCheck, Qt::QueuedConnection);
    } else {
        m_problem->setText(tr("Heron could not find every setting. Use \"Edit Settings…\" to enter what is missing."));
        m_problem->show();
        showSettings();
    }
}

void AccountWizard::showSettings()
{
    auto describe = [this](bool outgoing) {
        const ServerConfig &s = outgoing ? m_account.smtp : m_account.incoming;
        const QString what = outgoing ? tr("Outgoing") : tr("Incoming");
        if (s.host.isEmpty())
            return QStringLiteral("<b>%1:</b> %2").arg(what, m_discovery && m_discovery->isRunning() ? tr("looking…") : tr("not found"));
        const QString proto = outgoing ? QStringLiteral("SMTP") : protocolText(m_account.protocol);
        QString text = QStringLiteral("<b>%1:</b> %2 — %3:%4, %5, user %6")
                           .arg(what, proto, s.host.toHtmlEscaped())
                           .arg(s.port)
                           .arg(securityText(s.security), (outgoing ? m_outUsers.value(0, m_account.username) : m_account.username).toHtmlEscaped());
        const QString source = outgoing ? m_outSource : m_inSource;
        if (!source.isEmpty())
            text += QStringLiteral("<br><span style='color:#718096'>%1</span>").arg(tr("from %1").arg(source).toHtmlEscaped());
        const QString trust = outgoing ? m_outTrust : m_inTrust;
        if (!trust.isEmpty())
            text += QStringLiteral("<br><span style='color:%1'>%2</span>")
                        .arg(m_unconfirmed.contains(s.host) ? QStringLiteral("#c53030") : QStringLiteral("#718096"),
                             trust.toHtmlEscaped());
        const std::optional<CheckOutcome> &check = outgoing ? m_outCheck : m_inCheck;
        if (check) {
            const QString icon = check->ok() ? QStringLiteral(":/icons/status-ok.svg") : QStringLiteral(":/icons/status-error.svg");
            const QString color = check->ok() ? QStringLiteral("#2f855a") : QStringLiteral("#c53030");
            const QString label = check->ok() ? tr("Login works") : tr("Failed (%1)").arg(stageName(check->stage));
            text += QStringLiteral("<br><img src='%1' width=14 height=14> <span style='color:%2'><b>%3:</b> %4</span>")
                        .arg(icon, color, label, check->message.toHtmlEscaped());
        } else if (m_checking) {
            text += QStringLiteral("<br><img src=':/icons/status-pending.svg' width=14 height=14> %1").arg(tr("checking…"));
        }
        return text;
    };
    m_incoming->setText(describe(false));
    m_outgoing->setText(describe(true));
}

void AccountWizard::startCheck()
{
    if (m_account.incoming.host.isEmpty() || m_account.smtp.host.isEmpty()) return;
    if (!m_unconfirmed.isEmpty()) return; // no password to a server the user has not accepted
    m_checking = true;
    m_inCheck.reset();
    m_outCheck.reset();
    m_problem->hide();
    const int generation = ++m_checkGeneration;
    showSettings();
    updateButtons();
    // Runs on its own thread; answers through the application object (GUI
    // thread) to this dialog only if it still exists and still wants it.
    QPointer<AccountWizard> self(this);
    const AccountConfig account = m_account;
    const QStringList inUsers = m_inUsers.isEmpty() ? QStringList{m_account.username} : m_inUsers;
    const QStringList outUsers = m_outUsers.isEmpty() ? inUsers : m_outUsers;
    const QString password = m_password->text();
    const Profile profile = m_profile;
    QThread *thread = QThread::create([=] {
        const net::TrustPolicy trust = profile.trustPolicy();
        bool passwordRefused = false;
        for (bool outgoing : {false, true}) {
            // The incoming server refused the password under every user name:
            // the outgoing one is asked once, not once per name (each failed
            // login costs seconds and counts towards a lock-out).
            QStringList users = outgoing ? outUsers : inUsers;
            if (outgoing && passwordRefused && users.size() > 1) users = users.mid(0, 1);
            CheckOutcome o;
            try {
                o = checkServer(account, outgoing, users, password, trust);
            } catch (...) {
                o.stage = CheckOutcome::Other;
                o.message = util::describeCurrentException().message;
            }
            if (!outgoing) passwordRefused = o.stage == CheckOutcome::Password;
            QMetaObject::invokeMethod(qApp, [self, generation, outgoing, o] {
                if (self && self->m_checkGeneration == generation) self->checked(outgoing, o);
            }, Qt::QueuedConnection);
        }
    });
    thread->setObjectName(QStringLiteral("heron-account-check"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void AccountWizard::checked(bool outgoing, const CheckOutcome &outcome)
{
    (outgoing ? m_outCheck : m_inCheck) = outcome;
    if (outcome.ok()) {
        if (outgoing) m_outUsers = QStringList{outcome.username};
        else {
            m_account.username = outcome.username;
            m_inUsers = QStringList{outcome.username};
        }
    }
    addStep(outcome.message, outcome.ok() ? QStringLiteral(":/icons/status-ok.svg") : QStringLiteral(":/icons/status-error.svg"));
    if (m_inCheck && m_outCheck) {
        m_checking = false;
        const bool ok = m_inCheck->ok() && m_outCheck->ok();
        if (!ok) {
            m_problem->setText(tr("The account was not added yet: fix the settings (\"Edit Settings…\") or the password, then check again."));
            m_problem->show();
        }
        showSettings();
        updateButtons();
        Q_EMIT checkFinished(ok);
        return;
    }
    showSettings();
}

void AccountWizard::editSettings()
{
    AccountDialog dlg(this);
    dlg.setWindowTitle(tr("Edit Settings"));
    AccountConfig a = m_account;
    if (a.username.isEmpty()) a.username = m_inUsers.value(0, a.email);
    dlg.setAccount(a);
    dlg.setPasswordVisible(false);
    if (dlg.exec() != QDialog::Accepted) return;
    const AccountConfig edited = dlg.account();
    m_account.protocol = edited.protocol;
    m_account.incoming = edited.incoming;
    m_account.smtp = edited.smtp;
    m_account.username = edited.username;
    m_account.pop3Policy = edited.pop3Policy;
    m_account.pop3KeepDays = edited.pop3KeepDays;
    m_account.name = edited.name;
    m_inUsers = QStringList{edited.username};
    m_outUsers = m_inUsers;
    m_inSource = m_outSource = tr("your settings");
    m_inTrust.clear();
    m_outTrust.clear();
    m_unconfirmed.clear(); // typed in by the user: their choice
    addStep(tr("Settings edited by hand."));
    startCheck();
}

void AccountWizard::trustCertificate()
{
    const CheckOutcome &o = (m_inCheck && m_inCheck->stage == CheckOutcome::Certificate) ? *m_inCheck : *m_outCheck;
    auto *dlg = new CertificateDialog(m_account.name, o.certificate, this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    const net::CertificateInfo info = o.certificate;
    connect(dlg, &QDialog::accepted, this, [this, info] {
        store::MailStore(m_profile.databasePath()).pin(info.host, info.port, info.sha256);
        addStep(tr("You trusted the certificate of %1:%2.").arg(info.host).arg(info.port));
        startCheck();
    });
    dlg->open();
}

} // namespace heron::ui
