#pragma once
// Adds an account by hand: identity, incoming server (IMAP or POP3, with the
// POP3 server policy), outgoing server, security per server (an unencrypted
// connection needs an explicit confirmation), and where the password is kept.
// The automatic setup wizard (issue 5) will sit in front of this.
// Thread: GUI.
#include "account/AccountConfig.h"

#include <QDialog>
#include <QHash>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QPushButton;
class QVBoxLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace heron::ui {

class AccountDialog : public QDialog {
    Q_OBJECT
public:
    explicit AccountDialog(QWidget *parent = nullptr);
    // Fills every field (to edit found settings, or an existing account).
    void setAccount(const AccountConfig &account);
    // Hides the password and where it is kept (they are asked elsewhere).
    void setPasswordVisible(bool visible);
    // Editing an existing account: the name is its key (keyring entry, CLI),
    // so it stays as it is; the button says "Save".
    void setEditing(bool editing);
    AccountConfig account() const;
    // Shows the folder choices for Sent, Drafts, Trash, Archive and Junk:
    // folders are (shown name, raw name) pairs, automatic names the server's
    // SPECIAL-USE folder per role, chosen the user's current choice (raw name).
    void setFolderChoices(const QList<QPair<QString, QString>> &folders, const QHash<QString, QString> &automatic,
                          const QHash<QString, QString> &chosen);
    // role -> raw name, empty for "automatic".
    QHash<QString, QString> folderChoices() const;
    QComboBox *folderBox(const QString &role) const { return m_folderBoxes.value(role); }
    // An extra button beside Save/Cancel (e.g. "Identities…" for an existing account).
    QPushButton *addActionButton(const QString &text);
    // "On this computer: N messages, X MB" (computed elsewhere, off the GUI thread).
    void setOfflineUsage(qint64 messages, qint64 bytes);
    QComboBox *offlineBox() const { return m_offline; }
    QSpinBox *offlineDaysBox() const { return m_offlineDays; }
    QLabel *offlineUsageLabel() const { return m_usage; }
    QString password() const;
    enum class PasswordStorage { Keyring, Session, Profile };
    PasswordStorage passwordStorage() const;
    // Checks the fields; on a problem shows it and returns false.
    bool validate();

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *emailEdit() const { return m_email; }
    QLineEdit *hostEdit() const { return m_host; }
    QComboBox *protocolBox() const { return m_protocol; }
    QComboBox *securityBox() const { return m_security; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLabel *problemLabel() const { return m_problem; }

public Q_SLOTS:
    void accept() override;

private:
    void updateDefaults();
    QLineEdit *m_name, *m_email, *m_user, *m_password, *m_host, *m_smtpHost;
    QComboBox *m_protocol, *m_security, *m_smtpSecurity, *m_popPolicy;
    QSpinBox *m_port, *m_smtpPort, *m_keepDays;
    QComboBox *m_storePassword;
    QLabel *m_problem;
    QFormLayout *m_idForm, *m_inForm;
    QPushButton *m_ok;
    QDialogButtonBox *m_buttons;
    int64_t m_id = 0;
    QSpinBox *m_interval;
    QComboBox *m_offline;
    QSpinBox *m_offlineDays, *m_maxSize;
    QLabel *m_usage;
    QHash<QString, QComboBox *> m_folderBoxes;
    QVBoxLayout *m_layout;
    bool m_insecureConfirmed = false;
};

} // namespace heron::ui
