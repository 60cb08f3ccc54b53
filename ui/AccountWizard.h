#pragma once
// Adding an account the way most users want it: name, address, password; the
// settings are then found by AutoDiscovery (each thing tried is listed, and
// each setting says where it came from), and a real login to the incoming and
// the outgoing server is made before anything is saved, with the failing stage
// named (host not found, refused, certificate, TLS, password). The settings
// stay editable by hand at every point ("Edit Settings…", "Set Up Manually…").
//
// Thread: GUI. Discovery is asynchronous; the logins run on a worker thread
// whose result comes back queued, so the window never waits on the network.
#include "AccountDialog.h"

#include "account/AccountCheck.h"
#include "account/AutoDiscovery.h"
#include "account/Profile.h"

#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QComboBox;

namespace heron::ui {

class AccountWizard : public QDialog {
    Q_OBJECT
public:
    explicit AccountWizard(Profile profile, QWidget *parent = nullptr);
    ~AccountWizard() override;

    // Where to look (tests point DNS and HTTPS at loopback servers).
    void setDiscoveryOptions(const DiscoveryOptions &options);

    AccountConfig account() const { return m_account; }
    QString password() const;
    AccountDialog::PasswordStorage passwordStorage() const;

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *emailEdit() const { return m_email; }
    QLineEdit *passwordEdit() const { return m_password; }
    QPushButton *nextButton() const { return m_next; }
    QPushButton *manualButton() const { return m_manual; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *trustButton() const { return m_trust; }
    QListWidget *stepList() const { return m_steps; }
    QLabel *incomingLabel() const { return m_incoming; }
    QLabel *outgoingLabel() const { return m_outgoing; }
    QLabel *problemLabel() const { return m_problem; }
    bool isChecking() const { return m_checking; }

Q_SIGNALS:
    // The user wants the full form instead (the wizard closes).
    void manualSetupRequested(const heron::AccountConfig &partial, const QString &password);
    void checkFinished(bool ok);

private:
    void next();
    void back();
    void startDiscovery();
    void discovered(const heron::DiscoveryResult &result);
    void showSettings();
    void startCheck();
    void checked(bool outgoing, const heron::CheckOutcome &outcome);
    void editSettings();
    void trustCertificate();
    void addStep(const QString &text, const QString &icon = QString());
    void updateButtons();

    Profile m_profile;
    DiscoveryOptions m_options;
    std::unique_ptr<AutoDiscovery> m_discovery;
    AccountConfig m_account;
    QStringList m_inUsers, m_outUsers;
    QString m_inSource, m_outSource;
    QString m_inTrust, m_outTrust;
    // Hosts found in DNS outside the mail domain that the user has not
    // accepted yet: no login (no password) goes anywhere until they have.
    QStringList m_unconfirmed;
    QStringList m_confirmed;
    std::optional<CheckOutcome> m_inCheck, m_outCheck;
    bool m_checking = false;
    int m_checkGeneration = 0;

    QStackedWidget *m_pages;
    QLabel *m_title;
    QLineEdit *m_name, *m_email, *m_password;
    QComboBox *m_storePassword;
    QListWidget *m_steps;
    QLabel *m_incoming, *m_outgoing, *m_problem;
    QPushButton *m_back, *m_next, *m_manual, *m_edit, *m_trust;
};

} // namespace heron::ui
