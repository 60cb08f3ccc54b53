#pragma once
#include <memory>
// Everything the user does to accounts, with its dialogs: add (the setup
// wizard, or the full form), edit settings (servers, folders, identities),
// reorder, remove; and what an account asks of the user (a password, a
// decision on a certificate). MainWindow owns one and reloads its folder
// tree when accountsChanged() says so.
// Thread: GUI; every dialog is opened non-modally (open()).
#include "account/AccountConfig.h"
#include "account/Profile.h"
#include "net/NetError.h"

#include <QObject>
#include <QSet>

class QWidget;

namespace heron { class SecretStore; }
namespace heron::store { class MailStore; }
namespace heron::sync { class AccountManager; }

namespace heron::ui {

class AccountDialog;
class AccountWizard;
class IdentitiesDialog;

class AccountActions : public QObject {
    Q_OBJECT
public:
    AccountActions(Profile profile, store::MailStore *store, std::shared_ptr<SecretStore> secrets, sync::AccountManager *manager,
                   QWidget *window);

    // The setup wizard (finds the settings, checks the login).
    AccountWizard *addAccount();
    // The full form, optionally pre-filled (from the wizard's "Set Up Manually…").
    AccountDialog *addAccountManually(const AccountConfig &partial = {}, const QString &password = {});
    // Account Settings…: servers, security, check interval, special folders, identities.
    AccountDialog *editAccount(qint64 accountId);
    IdentitiesDialog *editIdentities(qint64 accountId);
    void moveAccount(qint64 accountId, int delta);
    void removeAccount(qint64 accountId);
    void askPassword(qint64 accountId, const QString &reason);
    void askTrust(qint64 accountId, const heron::net::CertificateInfo &info);

Q_SIGNALS:
    // For the status bar.
    void status(const QString &text);
    // An account was added, edited, moved or removed: the folder tree changes.
    void accountsChanged();

private:
    void saveNewAccount(AccountConfig a, const QString &password, int storage);

    Profile m_profile;
    store::MailStore *m_store;
    std::shared_ptr<SecretStore> m_secrets; // shared with the threads that talk to the keyring
    sync::AccountManager *m_manager;
    QWidget *m_window;
    QSet<qint64> m_askingPassword;
    QSet<qint64> m_askingTrust;
};

} // namespace heron::ui
