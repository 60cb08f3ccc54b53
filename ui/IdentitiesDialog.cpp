#include "IdentitiesDialog.h"
#include "PlainText.h"

#include "compose/MessageComposer.h"
#include "mime/Envelope.h"
#include "store/MailStore.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
QString rowText(const Identity &i)
{
    QString text = i.name.isEmpty() ? i.email : QStringLiteral("%1 <%2>").arg(i.name, i.email);
    if (i.isAccountDefault())
        text += QLatin1Char('\n') + QObject::tr("the account's own address");
    else if (!i.replyTo.isEmpty())
        text += QLatin1Char('\n') + QObject::tr("replies to %1").arg(i.replyTo);
    return text;
}
} // namespace

IdentitiesDialog::IdentitiesDialog(store::MailStore *store, qint64 accountId, QWidget *parent)
    : QDialog(parent), m_store(store), m_accountId(accountId)
{
    auto account = store->account(accountId);
    setWindowTitle(tr("Identities of %1").arg(account ? account->name : QString()));
    setMinimumSize(720, 420);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("The addresses you write from with this account. The composer offers each of them "
                                "in From; a reply starts from the one the message was sent to."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *columns = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("identities"));
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setSpacing(2);
    left->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    m_add = new QPushButton(tr("Add"), this);
    m_remove = new QPushButton(tr("Remove…"), this);
    m_add->setAutoDefault(false); // Enter in a field saves, never starts over
    m_remove->setAutoDefault(false);
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_remove);
    listButtons->addStretch(1);
    left->addLayout(listButtons);
    columns->addLayout(left, 1);

    auto *right = new QVBoxLayout;
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("shown to the people you write to"));
    m_email = new QLineEdit(this);
    m_email->setPlaceholderText(tr("you@example.org"));
    m_replyTo = new QLineEdit(this);
    m_signature = new QPlainTextEdit(this);
    m_signature->setTabChangesFocus(true);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Address:"), m_email);
    form->addRow(tr("Reply-To:"), m_replyTo);
    form->addRow(tr("Signature:"), m_signature);
    right->addLayout(form, 1);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #718096; }"));
    right->addWidget(m_note);
    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText); // server and message text: never markup
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #c53030; }"));
    m_problem->hide();
    right->addWidget(m_problem);
    auto *saveRow = new QHBoxLayout;
    saveRow->addStretch(1);
    m_save = new QPushButton(tr("Save Identity"), this);
    m_save->setDefault(true);
    saveRow->addWidget(m_save);
    right->addLayout(saveRow);
    columns->addLayout(right, 1);
    layout->addLayout(columns, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_add, &QPushButton::clicked, this, &IdentitiesDialog::startNew);
    connect(m_remove, &QPushButton::clicked, this, &IdentitiesDialog::removeSelected);
    connect(m_save, &QPushButton::clicked, this, &IdentitiesDialog::save);
    connect(m_list, &QListWidget::currentRowChanged, this, [this] { showSelected(); });
    reload(0);
}

QString IdentitiesDialog::check(const Identity &i)
{
    for (const QString &field : {i.name, i.email, i.replyTo})
        if (field.contains(QLatin1Char('\r')) || field.contains(QLatin1Char('\n')))
            return tr("Name and addresses must be on one line.");
    if (i.email.trimmed().isEmpty()) return tr("Enter the address this identity writes from.");
    QString why = compose::checkAddress(i.email.trimmed());
    if (!why.isEmpty()) return tr("Address: %1.").arg(why);
    const QString replyTo = i.replyTo.trimmed();
    if (!replyTo.isEmpty()) {
        if (compose::splitAddressField(replyTo).size() > 1) return tr("Reply-To takes a single address.");
        QString name, addr;
        mime::splitAddress(replyTo, &name, &addr);
        why = compose::checkAddress(addr);
        if (!why.isEmpty()) return tr("Reply-To: %1.").arg(why);
    }
    return QString();
}

void IdentitiesDialog::reload(int64_t selectId)
{
    m_identities.clear();
    if (auto account = m_store->account(m_accountId)) m_identities.push_back(defaultIdentity(*account));
    for (const Identity &i : m_store->identities(m_accountId))
        m_identities.push_back(i);
    QSignalBlocker block(m_list);
    m_list->clear();
    int row = 0;
    for (size_t n = 0; n < m_identities.size(); ++n) {
        m_list->addItem(rowText(m_identities[n]));
        if (m_identities[n].id == selectId) row = int(n);
    }
    m_list->setCurrentRow(row);
    showSelected();
}

void IdentitiesDialog::showSelected()
{
    const int row = m_list->currentRow();
    showProblem(QString());
    if (row < 0 || size_t(row) >= m_identities.size()) {
        startNew();
        return;
    }
    const Identity &i = m_identities[size_t(row)];
    m_editing = i.id;
    m_name->setText(i.name);
    m_email->setText(i.email);
    m_replyTo->setText(i.replyTo);
    m_signature->setPlainText(i.signature);
    const bool own = i.isAccountDefault();
    for (QWidget *w : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_email),
                       static_cast<QWidget *>(m_replyTo), static_cast<QWidget *>(m_signature)})
        w->setEnabled(!own);
    m_save->setEnabled(!own);
    m_remove->setEnabled(!own);
    // Disabled fields would otherwise invite typing with their hints.
    m_replyTo->setPlaceholderText(own ? QString() : tr("optional: where replies should go"));
    m_signature->setPlaceholderText(own ? QString() : tr("optional; added below a \"-- \" line"));
    m_note->setText(own ? tr("The account's own identity: its address is set in Account Settings, its signature "
                             "with File > Signature…")
                        : QString());
    m_note->setVisible(own);
}

void IdentitiesDialog::startNew()
{
    QSignalBlocker block(m_list);
    m_list->clearSelection();
    m_list->setCurrentRow(-1);
    m_editing = -1;
    for (QLineEdit *e : {m_name, m_email, m_replyTo}) {
        e->clear();
        e->setEnabled(true);
    }
    m_signature->clear();
    m_signature->setEnabled(true);
    m_replyTo->setPlaceholderText(tr("optional: where replies should go"));
    m_signature->setPlaceholderText(tr("optional; added below a \"-- \" line"));
    m_save->setEnabled(true);
    m_remove->setEnabled(false);
    m_note->setText(tr("A new identity: saved with Save Identity."));
    m_note->show();
    showProblem(QString());
    if (!m_identities.empty()) m_name->setText(m_identities.front().name);
    m_email->setFocus();
}

bool IdentitiesDialog::save()
{
    if (m_editing == 0) return false; // the account's own is edited elsewhere
    Identity i;
    i.id = m_editing > 0 ? m_editing : 0;
    i.accountId = m_accountId;
    i.name = m_name->text().trimmed();
    i.email = m_email->text().trimmed();
    i.replyTo = m_replyTo->text().trimmed();
    i.signature = m_signature->toPlainText().trimmed();
    QString why = check(i);
    if (why.isEmpty()) {
        for (const Identity &other : m_identities)
            if (other.id != i.id && !other.isAccountDefault() &&
                other.email.compare(i.email, Qt::CaseInsensitive) == 0 &&
                other.replyTo.compare(i.replyTo, Qt::CaseInsensitive) == 0)
                why = tr("This account already has an identity with this address and Reply-To.");
    }
    if (!why.isEmpty()) {
        showProblem(why);
        return false;
    }
    try {
        if (m_editing > 0)
            m_store->updateIdentity(i);
        else
            i.id = m_store->addIdentity(i);
    } catch (const store::StoreError &e) {
        showProblem(tr("The identity could not be saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    reload(i.id);
    Q_EMIT identitiesChanged(m_accountId);
    return true;
}

void IdentitiesDialog::removeSelected()
{
    const int row = m_list->currentRow();
    if (row <= 0 || size_t(row) >= m_identities.size()) return;
    const Identity i = m_identities[size_t(row)];
    if (plainMessageBox(QMessageBox::Question, this, tr("Remove Identity"), tr("Remove the identity %1?").arg(rowText(i)),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    try {
        m_store->removeIdentity(i.id);
    } catch (const store::StoreError &e) {
        showProblem(tr("The identity could not be removed: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    reload(0);
    Q_EMIT identitiesChanged(m_accountId);
}

void IdentitiesDialog::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

} // namespace heron::ui
