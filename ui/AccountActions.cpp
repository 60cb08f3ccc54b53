#include "AccountActions.h"
#include "PlainText.h"

#include "AccountDialog.h"
#include "AccountWizard.h"
#include "CertificateDialog.h"
#include "IdentitiesDialog.h"

#include "account/SecretStore.h"
#include "store/MailStore.h"
#include "sync/AccountManager.h"
#include "net/ImapResponse.h"

#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QThreadPool>
#include <QPointer>
#include <QCoreApplication>

namespace heron::ui {

using sync::AccountManager;

namespace {
// Keyring calls run here, one at a time and in order (a removal and a new
// store for the same name never overtake each other), never on the GUI thread.
QThreadPool *keyringQueue()
{
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool;
        p->setMaxThreadCount(1);
        return p;
    }();
    return pool;
}
} // namespace

AccountActions::AccountActions(Profile profile, store::MailStore *store, std::shared_ptr<SecretStore> secrets, AccountManager *manager,
                               QWidget *window)
    : QObject(window), m_profile(std::move(profile)), m_store(store), m_secrets(std::move(secrets)), m_manager(manager), m_window(window)
{
    connect(m_manager, &AccountManager::passwordNeeded, this, &AccountActions::askPassword);
    connect(m_manager, &AccountManager::certificateNeedsDecision, this, &AccountActions::askTrust);
}

IdentitiesDialog *AccountActions::editIdentities(qint64 accountId)
{
    if (!m_store->account(accountId)) {
        Q_EMIT status(tr("Select an account (or one of its folders) first."));
        return nullptr;
    }
    auto *dlg = new IdentitiesDialog(m_store, accountId, m_window);
    dlg->setObjectName(QStringLiteral("identitiesDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->open();
    return dlg;
}

AccountWizard *AccountActions::addAccount()
{
    auto *wizard = new AccountWizard(m_profile, m_window);
    wizard->setObjectName(QStringLiteral("accountWizard"));
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &QDialog::accepted, this, [this, wizard] {
        saveNewAccount(wizard->account(), wizard->password(), int(wizard->passwordStorage()));
    });
    connect(wizard, &AccountWizard::manualSetupRequested, this, [this](const AccountConfig &partial, const QString &password) {
        // After the wizard has closed.
        QTimer::singleShot(0, this, [this, partial, password] { addAccountManually(partial, password); });
    });
    wizard->open();
    return wizard;
}

AccountDialog *AccountActions::addAccountManually(const AccountConfig &partial, const QString &password)
{
    auto *dlg = new AccountDialog(m_window);
    dlg->setObjectName(QStringLiteral("accountDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    if (!partial.email.isEmpty() || !partial.incoming.host.isEmpty()) dlg->setAccount(partial);
    if (!password.isEmpty()) dlg->passwordEdit()->setText(password);
    connect(dlg, &QDialog::accepted, this, [this, dlg] {
        saveNewAccount(dlg->account(), dlg->password(), int(dlg->passwordStorage()));
    });
    dlg->open();
    return dlg;
}

void AccountActions::saveNewAccount(AccountConfig a, const QString &password, int storage)
{
    if (m_store->accountByName(a.name)) {
        // The name is the account's key; a second account for the same address gets a number.
        const QString base = a.name;
        for (int n = 2; m_store->accountByName(a.name); ++n) a.name = QStringLiteral("%1 %2").arg(base).arg(n);
    }
    try {
        a.id = m_store->addAccount(a);
    } catch (const store::StoreError &e) {
        plainMessageBox(QMessageBox::Critical, m_window, tr("Add Account"), tr("The account could not be saved: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    if (!password.isEmpty()) {
        QString error;
        bool stored = false;
        switch (AccountDialog::PasswordStorage(storage)) {
        case AccountDialog::PasswordStorage::Keyring: {
            // The keyring (D-Bus, maybe a prompt) is never asked on the GUI
            // thread: the account works at once with the password for this
            // session, and the keyring stores it in the background.
            m_secrets->setSessionPassword(a.name, password);
            stored = true;
            QPointer<AccountActions> self(this);
            std::shared_ptr<SecretStore> secrets = m_secrets;
            const QString name = a.name;
            keyringQueue()->start([self, secrets, name, password] {
                QString why;
                if (secrets->storeInKeyring(name, password, &why)) return;
                QMetaObject::invokeMethod(qApp, [self, why] {
                    if (self) Q_EMIT self->status(tr("The password could not be remembered (%1); Heron will ask for it next time.").arg(why));
                }, Qt::QueuedConnection);
            });
            break;
        }
        case AccountDialog::PasswordStorage::Profile: stored = m_secrets->storeInProfile(a.name, password, &error); break;
        case AccountDialog::PasswordStorage::Session: break;
        }
        if (!stored) m_secrets->setSessionPassword(a.name, password);
        if (!error.isEmpty())
            Q_EMIT status(tr("The password could not be remembered (%1); Heron will ask for it next time.").arg(error));
    }
    Q_EMIT accountsChanged();
    m_manager->addAccount(a);
    m_manager->syncAccount(a.id);
}

AccountDialog *AccountActions::editAccount(qint64 accountId)
{
    auto acc = m_store->account(accountId);
    if (!acc) return nullptr;
    auto *dlg = new AccountDialog(m_window);
    dlg->setObjectName(QStringLiteral("accountSettingsDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setAccount(*acc);
    dlg->setEditing(true);
    QList<QPair<QString, QString>> folders;
    QHash<QString, QString> automatic, chosen;
    for (const MailboxRecord &mb : m_store->mailboxes(accountId)) {
        if (!mb.selectable) continue;
        const QString shown = net::decodeMailboxName(mb.name.toLatin1());
        folders.push_back({shown, mb.name});
        if (!mb.specialUse.isEmpty() && !automatic.contains(mb.specialUse)) automatic.insert(mb.specialUse, shown);
    }
    for (const char *role : {"\\Sent", "\\Drafts", "\\Trash", "\\Archive", "\\Junk"})
        chosen.insert(QString::fromLatin1(role), m_store->folderRoleChoice(accountId, QString::fromLatin1(role)));
    if (!folders.isEmpty()) dlg->setFolderChoices(folders, automatic, chosen);
    // The disk used by offline copies: a sum over every cached body, so on a
    // pool thread with its own connection, never on the GUI thread.
    QPointer<AccountDialog> target(dlg);
    const QString dbPath = m_store->db().path();
    QThreadPool::globalInstance()->start([target, dbPath, accountId] {
        std::pair<int64_t, int64_t> usage{-1, 0};
        try {
            store::MailStore st(dbPath);
            usage = st.offlineUsage(accountId);
        } catch (...) {
            return; // no figure rather than a wrong one
        }
        QCoreApplication *app = QCoreApplication::instance();
        if (!app) return;
        QMetaObject::invokeMethod(app, [target, usage] {
            if (target) target->setOfflineUsage(usage.first, usage.second);
        }, Qt::QueuedConnection);
    });
    QPushButton *identities = dlg->addActionButton(tr("Identities…"));
    identities->setObjectName(QStringLiteral("identitiesButton"));
    connect(identities, &QPushButton::clicked, this, [this, accountId] { editIdentities(accountId); });
    connect(dlg, &QDialog::accepted, this, [this, dlg, old = *acc] {
        AccountConfig a = dlg->account();
        a.id = old.id;
        a.name = old.name;
        a.protocol = old.protocol;
        try {
            store::Transaction tx(m_store->db());
            m_store->updateAccount(a);
            const QHash<QString, QString> roles = dlg->folderChoices();
            for (auto it = roles.begin(); it != roles.end(); ++it) m_store->setFolderRoleChoice(a.id, it.key(), it.value());
            tx.commit();
        } catch (const store::StoreError &e) {
            plainMessageBox(QMessageBox::Critical, m_window, tr("Account Settings"), tr("The settings could not be saved: %1").arg(QString::fromUtf8(e.what())));
            return;
        }
        m_manager->updateAccount(a);
        Q_EMIT status(tr("%1: settings saved").arg(a.name));
        Q_EMIT accountsChanged();
    });
    dlg->open();
    return dlg;
}

void AccountActions::moveAccount(qint64 accountId, int delta)
{
    if (accountId > 0 && m_store->moveAccount(accountId, delta)) Q_EMIT accountsChanged();
}

void AccountActions::removeAccount(qint64 accountId)
{
    auto acc = m_store->account(accountId);
    if (!acc) return;
    const auto answer = plainMessageBox(QMessageBox::Warning, 
        m_window, tr("Remove Account"),
        tr("Remove \"%1\" from Heron?\n\nThe messages stay on the server%2, but this computer's copy, "
           "the queued changes and the outbox of this account are deleted.")
            .arg(acc->name, acc->isPop3() ? tr(" only if they were left there (POP3)") : QString()),
        QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Ok) return;
    m_manager->removeAccount(accountId);
    m_store->removeAccount(accountId);
    // Off the GUI thread too (the keyring entry is removed in the background).
    std::shared_ptr<SecretStore> secrets = m_secrets;
    const QString name = acc->name;
    keyringQueue()->start([secrets, name] { secrets->forget(name); });
    Q_EMIT status(tr("Account \"%1\" removed").arg(acc->name));
    Q_EMIT accountsChanged();
}

void AccountActions::askPassword(qint64 accountId, const QString &reason)
{
    if (m_askingPassword.contains(accountId)) return;
    auto acc = m_store->account(accountId);
    if (!acc) return;
    m_askingPassword.insert(accountId);
    auto *dlg = new QInputDialog(m_window);
    dlg->setWindowTitle(tr("Password for %1").arg(acc->name));
    dlg->setLabelText((reason.isEmpty() ? QString() : reason + QStringLiteral("\n\n")) +
                      tr("Password for %1 on %2:").arg(acc->username, acc->incoming.host));
    dlg->setTextEchoMode(QLineEdit::Password);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QInputDialog::finished, this, [this, dlg, accountId](int result) {
        m_askingPassword.remove(accountId);
        if (result == QDialog::Accepted && !dlg->textValue().isEmpty())
            m_manager->providePassword(accountId, dlg->textValue());
        else
            Q_EMIT status(tr("No password given; the account stays offline."));
    });
    dlg->open();
}

void AccountActions::askTrust(qint64 accountId, const net::CertificateInfo &info)
{
    if (m_askingTrust.contains(accountId)) return;
    auto acc = m_store->account(accountId);
    if (!acc) return;
    m_askingTrust.insert(accountId);
    auto *dlg = new CertificateDialog(acc->name, info, m_window);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::finished, this, [this, accountId, info](int result) {
        m_askingTrust.remove(accountId);
        if (result == QDialog::Accepted) m_manager->trustCertificate(accountId, info);
        else Q_EMIT status(tr("Certificate not trusted; the account stays offline."));
    });
    dlg->open();
}

} // namespace heron::ui
