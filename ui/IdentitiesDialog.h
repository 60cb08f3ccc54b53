#pragma once
// The identities of one account (see account/Identity.h): its own first
// (name and address from the account settings, signature from File >
// Signature…; shown, not edited here), then the others, which can be added,
// edited and removed: name, address, Reply-To and signature. Addresses are
// checked with compose::checkAddress before anything is saved; Save writes
// the identity at once and emits identitiesChanged.
// Thread: GUI.
#include "account/Identity.h"

#include <QDialog>

#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace heron::store {
class MailStore;
}

namespace heron::ui {

class IdentitiesDialog : public QDialog {
    Q_OBJECT
public:
    IdentitiesDialog(store::MailStore *store, qint64 accountId, QWidget *parent = nullptr);

    QListWidget *list() const { return m_list; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *emailEdit() const { return m_email; }
    QLineEdit *replyToEdit() const { return m_replyTo; }
    QPlainTextEdit *signatureEdit() const { return m_signature; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *saveButton() const { return m_save; }
    QLabel *problemLabel() const { return m_problem; }

    // Why this identity cannot be saved (empty when it can).
    static QString check(const Identity &identity);

public Q_SLOTS:
    // Starts a new identity in the form (saved by save()).
    void startNew();
    // Validates and stores the form; false (with the reason shown) if refused.
    bool save();
    // Removes the selected identity after asking; the account's own cannot go.
    void removeSelected();

Q_SIGNALS:
    void identitiesChanged(qint64 accountId);

private:
    void reload(int64_t selectId);
    void showSelected();
    void showProblem(const QString &text);

    store::MailStore *m_store;
    qint64 m_accountId;
    std::vector<Identity> m_identities; // the list's rows; [0] is the account's own
    int64_t m_editing = -1;             // identity id in the form, 0 the account's own, -1 a new one
    QListWidget *m_list;
    QLineEdit *m_name;
    QLineEdit *m_email;
    QLineEdit *m_replyTo;
    QPlainTextEdit *m_signature;
    QLabel *m_note;
    QLabel *m_problem;
    QPushButton *m_add;
    QPushButton *m_remove;
    QPushButton *m_save;
};

} // namespace heron::ui
