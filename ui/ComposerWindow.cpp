#include "ComposerWindow.h"
#include "PlainText.h"

#include "compose/Outbox.h"
#include "store/MailStore.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QMimeDatabase>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QStringListModel>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
// Completes the address being typed after the last comma. The line is
// rewritten when a suggestion is highlighted and again when it is chosen: both
// build on the text the user typed (remembered from textEdited, which only
// user edits emit), never on a line that already holds the suggestion.
class AddressCompleter : public QCompleter {
public:
    AddressCompleter(const QStringList &addresses, QLineEdit *edit) : QCompleter(addresses, edit)
    {
        setCaseSensitivity(Qt::CaseInsensitive);
        setFilterMode(Qt::MatchContains);
        m_typed = edit->text();
        QObject::connect(edit, &QLineEdit::textEdited, this, [this](const QString &t) { m_typed = t; });
        QObject::connect(this, QOverload<const QString &>::of(&QCompleter::activated), this,
                         [this](const QString &t) { m_typed = t; });
    }
    QStringList splitPath(const QString &path) const override
    {
        return {path.section(QRegularExpression(QStringLiteral("[,;]")), -1).trimmed()};
    }
    QString pathFromIndex(const QModelIndex &index) const override
    {
        const QString &text = m_typed;
        const int cut = int(std::max(text.lastIndexOf(QLatin1Char(',')), text.lastIndexOf(QLatin1Char(';'))));
        const QString head = cut >= 0 ? text.left(cut + 1) + QLatin1Char(' ') : QString();
        return head + index.data().toString() + QStringLiteral(", ");
    }

private:
    QString m_typed;
};

// "Name <address> (Account)"; the account is left out when it adds nothing
// (the wizard names accounts "Name (address)": those show by their address).
QString identityLabel(const Identity &i, const AccountConfig &a)
{
    QString text = i.name.isEmpty() ? i.email : QStringLiteral("%1 <%2>").arg(i.name, i.email);
    const QString wizardName = QStringLiteral("%1 (%2)").arg(defaultIdentity(a).name, a.email);
    const QString account = a.name == wizardName ? a.email : a.name;
    if (account.compare(i.email, Qt::CaseInsensitive) != 0 && account != i.name)
        text += QStringLiteral(" (%1)").arg(account);
    return text;
}
} // namespace

ComposerWindow::ComposerWindow(store::MailStore *store, qint64 accountId, const compose::OutgoingMessage &start, QWidget *parent)
    : QWidget(parent, Qt::Window), m_store(store), m_message(start)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setAcceptDrops(true);
    setWindowTitle(start.subject.isEmpty() ? tr("New Message") : start.subject);
    resize(760, 620);

    QStringList seen;
    {
        auto q = store->db().prepare(
            "SELECT from_name, from_addr FROM messages WHERE from_addr LIKE '%@%' GROUP BY from_addr ORDER BY MAX(date) DESC LIMIT 5000");
        while (q.step())
            seen << (q.text(0).isEmpty() ? q.text(1) : QStringLiteral("%1 <%2>").arg(q.text(0), q.text(1)));
    }

    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_from = new QComboBox(this);
    m_from->setObjectName(QStringLiteral("from"));
    for (const AccountConfig &a : store->accounts()) {
        if (a.smtp.host.isEmpty()) continue;
        std::vector<Identity> identities{defaultIdentity(a)};
        for (const Identity &i : store->identities(a.id)) identities.push_back(i);
        for (const Identity &i : identities) {
            m_from->addItem(identityLabel(i, a), QVariant::fromValue<qint64>(a.id));
            m_identities.push_back(i);
            if (a.id == accountId && i.isAccountDefault()) m_from->setCurrentIndex(m_from->count() - 1);
        }
    }
    m_replyTo = new QLabel(this);
    m_replyTo->setObjectName(QStringLiteral("replyTo"));
    m_replyTo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_replyTo->setToolTip(tr("Replies to this message go to this address (set in the identity)."));
    auto field = [&](const QString &text, const QStringList &values) {
        auto *e = new QLineEdit(values.join(QStringLiteral(", ")), this);
        auto *c = new AddressCompleter(seen, e);
        e->setCompleter(c);
        return e;
    };
    m_to = field(QString(), start.to);
    m_cc = field(QString(), start.cc);
    m_bcc = field(QString(), start.bcc);
    m_to->setObjectName(QStringLiteral("to"));
    m_subject = new QLineEdit(start.subject, this);
    form->addRow(tr("From:"), m_from);
    m_replyToCaption = new QLabel(tr("Reply-To:"), this);
    form->addRow(m_replyToCaption, m_replyTo);
    form->addRow(tr("To:"), m_to);
    form->addRow(tr("Cc:"), m_cc);
    form->addRow(tr("Bcc:"), m_bcc);
    form->addRow(tr("Subject:"), m_subject);
    layout->addLayout(form);

    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText); // server and message text: never markup
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #c53030; }"));
    m_problem->setWordWrap(true);
    m_problem->hide();
    layout->addWidget(m_problem);

    m_body = new BodyEditor(this);
    connect(m_body, &BodyEditor::filesDropped, this, [this](const QStringList &paths) {
        for (const QString &p : paths) addAttachmentFile(p);
    });
    m_body->setObjectName(QStringLiteral("body"));
    if (start.html.isEmpty()) m_body->setPlainText(start.body);
    else m_body->setMailHtml(start.html);

    // Rich text switch, then the format toolbar it shows.
    auto *bars = new QHBoxLayout;
    bars->setSpacing(0);
    auto *modeBar = new QToolBar(this);
    modeBar->setIconSize(QSize(18, 18));
    modeBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_richAction = modeBar->addAction(QIcon(QStringLiteral(":/icons/rich-text.svg")), tr("Rich Text"));
    m_richAction->setObjectName(QStringLiteral("richText"));
    m_richAction->setCheckable(true);
    m_richAction->setChecked(m_body->isRich());
    m_richAction->setToolTip(tr("Write with formatting; a plain-text copy is always sent along"));
    m_formatBar = new QToolBar(this);
    m_formatBar->setObjectName(QStringLiteral("formatBar"));
    m_formatBar->setIconSize(QSize(18, 18));
    for (BodyEditor::Format f : {BodyEditor::Bold, BodyEditor::Italic, BodyEditor::Underline})
        m_formatBar->addAction(m_body->formatAction(f));
    m_formatBar->addSeparator();
    m_formatBar->addAction(m_body->formatAction(BodyEditor::BulletList));
    m_formatBar->addAction(m_body->formatAction(BodyEditor::NumberedList));
    m_formatBar->addSeparator();
    m_formatBar->addAction(m_body->formatAction(BodyEditor::Link));
    m_formatBar->addAction(m_body->formatAction(BodyEditor::ClearFormatting));
    m_formatBar->setVisible(m_body->isRich());
    bars->addWidget(modeBar);
    auto *divider = new QFrame(this);
    divider->setFrameShape(QFrame::VLine);
    divider->setFrameShadow(QFrame::Sunken);
    divider->setVisible(m_body->isRich());
    connect(m_richAction, &QAction::toggled, divider, &QWidget::setVisible);
    bars->addWidget(divider);
    bars->addWidget(m_formatBar);
    bars->addStretch(1);
    layout->addLayout(bars);
    layout->addWidget(m_body, 1);
    connect(m_richAction, &QAction::triggered, this, [this](bool on) { setRichText(on); });

    m_attachmentList = new QListWidget(this);
    m_attachmentList->setMaximumHeight(70);
    m_attachmentList->setFlow(QListView::LeftToRight);
    m_attachmentList->setWrapping(true);
    layout->addWidget(m_attachmentList);

    auto *buttons = new QHBoxLayout;
    auto *attach = new QPushButton(QIcon(QStringLiteral(":/icons/attachment.svg")), tr("Attach…"), this);
    auto *remove = new QPushButton(tr("Remove Attachment"), this);
    remove->setObjectName(QStringLiteral("removeAttachment"));
    remove->setEnabled(false); // until an attachment is selected
    auto *sendButton = new QPushButton(QIcon(QStringLiteral(":/icons/sent.svg")), tr("Send"), this);
    sendButton->setObjectName(QStringLiteral("send"));
    sendButton->setToolTip(tr("Send (Ctrl+Return)"));
    buttons->addWidget(attach);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    buttons->addWidget(sendButton);
    layout->addLayout(buttons);

    connect(attach, &QPushButton::clicked, this, [this] {
        for (const QString &f : QFileDialog::getOpenFileNames(this, tr("Attach Files"))) addAttachmentFile(f);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_attachmentList->currentRow();
        if (row < 0 || size_t(row) >= m_message.attachments.size()) return;
        m_message.attachments.erase(m_message.attachments.begin() + row);
        refreshAttachments();
    });
    connect(m_attachmentList, &QListWidget::currentRowChanged, remove, [remove](int row) { remove->setEnabled(row >= 0); });
    connect(sendButton, &QPushButton::clicked, this, &ComposerWindow::send);
    auto *sendShortcut = new QShortcut(QKeySequence(QStringLiteral("Ctrl+Return")), this);
    connect(sendShortcut, &QShortcut::activated, this, &ComposerWindow::send);
    for (QLineEdit *e : {m_to, m_cc, m_bcc})
        connect(e, &QLineEdit::textEdited, this, [e] { e->setStyleSheet(QString()); });
    connect(m_from, &QComboBox::currentIndexChanged, this, [this] { applyIdentity(); });
    auto *saveShortcut = new QShortcut(QKeySequence(QStringLiteral("Ctrl+S")), this);
    connect(saveShortcut, &QShortcut::activated, this, [this] { saveDraft(true); });
    // Esc and Ctrl+W close the composer as in other mail programs; unsaved
    // text is asked about first (closeEvent). An open suggestion list takes
    // Esc for itself.
    for (const QKeySequence &k : {QKeySequence(Qt::Key_Escape), QKeySequence(QStringLiteral("Ctrl+W"))}) {
        auto *closeShortcut = new QShortcut(k, this);
        connect(closeShortcut, &QShortcut::activated, this, &QWidget::close);
    }
    auto *autosave = new QTimer(this);
    autosave->setInterval(30000);
    connect(autosave, &QTimer::timeout, this, [this] { if (isDirty()) saveDraft(false); });
    autosave->start();
    refreshAttachments();
    applyIdentity();
    m_savedSnapshot = snapshot();
    if (start.to.isEmpty()) m_to->setFocus();
    else {
        m_body->setFocus();
        m_body->moveCursor(QTextCursor::Start);
    }
}

void ComposerWindow::setSignatures(const QHash<qint64, QString> &signatures, bool insertNow)
{
    m_signatures = signatures;
    applyIdentity(insertNow);
    m_savedSnapshot = snapshot(); // a signature alone is not an edit
}

Identity ComposerWindow::currentIdentity() const
{
    const int i = m_from->currentIndex();
    if (i < 0 || size_t(i) >= m_identities.size()) return Identity();
    Identity id = m_identities[size_t(i)];
    if (id.isAccountDefault()) id.signature = m_signatures.value(id.accountId);
    return id;
}

bool ComposerWindow::selectIdentity(qint64 accountId, const QString &address)
{
    for (size_t i = 0; i < m_identities.size(); ++i) {
        if (m_identities[i].accountId != accountId || m_identities[i].email.compare(address, Qt::CaseInsensitive) != 0)
            continue;
        const bool clean = !isDirty();
        m_from->setCurrentIndex(int(i));
        if (clean) m_savedSnapshot = snapshot(); // chosen for the user, not by them
        return true;
    }
    return false;
}

void ComposerWindow::applyIdentity(bool insertSignature)
{
    const Identity id = currentIdentity();
    m_replyTo->setText(id.replyTo);
    m_replyTo->setVisible(!id.replyTo.isEmpty());
    m_replyToCaption->setVisible(!id.replyTo.isEmpty());

    const QString sig = id.signature.trimmed();
    const QString block = sig.isEmpty() ? QString() : QStringLiteral("\n\n-- \n") + sig;
    const QString body = m_body->toPlainText();
    const bool present = !m_insertedSignature.isEmpty() && body.contains(m_insertedSignature);
    if (!present && (!insertSignature || (!block.isEmpty() && body.contains(block)))) {
        m_insertedSignature = body.contains(block) ? block : QString(); // a reopened draft keeps its text
        return;
    }
    if (present || !block.isEmpty()) // above a quote, else at the end
        m_body->replaceText(present ? m_insertedSignature : QString(), block, body.startsWith(QLatin1String("\n\n")));
    m_insertedSignature = block;
    if (body != m_body->toPlainText()) m_body->moveCursor(QTextCursor::Start);
}

bool ComposerWindow::setRichText(bool rich, bool ask)
{
    if (rich != m_body->isRich()) {
        if (!rich && ask && m_body->hasFormatting()) {
            QMessageBox box(QMessageBox::Question, tr("Switch to plain text?"),
                            tr("Bold, italic, underline, lists and links will be lost. The text stays: list items "
                               "start with \"- \" or their number, links are followed by their address."),
                            QMessageBox::Yes | QMessageBox::Cancel, this);
            box.button(QMessageBox::Yes)->setText(tr("Switch to Plain Text"));
            box.setDefaultButton(QMessageBox::Cancel);
            if (box.exec() != QMessageBox::Yes) {
                m_richAction->setChecked(true);
                return false;
            }
        }
        const bool clean = !isDirty();
        m_body->setRich(rich);
        if (clean && !ask) m_savedSnapshot = snapshot();
    }
    m_richAction->setChecked(rich);
    m_formatBar->setVisible(rich);
    return true;
}

QString ComposerWindow::snapshot() const
{
    return QStringList{m_to->text(), m_cc->text(), m_bcc->text(), m_subject->text(), m_body->toPlainText(),
                       m_body->mailHtml(), QString::number(m_message.attachments.size()), m_from->currentText()}
        .join(QChar(0x1f));
}

bool ComposerWindow::isDirty() const { return snapshot() != m_savedSnapshot; }

compose::OutgoingMessage ComposerWindow::current() const
{
    compose::OutgoingMessage m = m_message;
    m.to = compose::splitAddressField(m_to->text());
    m.cc = compose::splitAddressField(m_cc->text());
    m.bcc = compose::splitAddressField(m_bcc->text());
    m.subject = m_subject->text();
    m.body = m_body->mailPlainText();
    m.html = m_body->mailHtml();
    const Identity id = currentIdentity();
    m.fromName = id.name;
    m.fromAddress = id.email;
    m.replyTo = id.replyTo;
    return m;
}

bool ComposerWindow::saveDraft(bool explicitSave)
{
    const qint64 accountId = m_from->currentData().toLongLong();
    auto account = m_store->account(accountId);
    if (!account) return false;
    const compose::OutgoingMessage m = current();
    try {
        compose::BuiltMessage built = compose::buildMessage(m, account->email.section(QLatin1Char('@'), 1), true);
        m_draftId = compose::Outbox(*m_store).saveDraft(m_draftId, accountId, built, m.subject, m_replacesUid);
    } catch (const std::exception &e) {
        showProblem(tr("The draft could not be saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    m_explicitSave = m_explicitSave || explicitSave;
    m_savedSnapshot = snapshot();
    showProblem(QString());
    Q_EMIT draftSaved(accountId);
    return true;
}

void ComposerWindow::addAttachmentFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        showProblem(tr("Cannot read %1: %2").arg(path, f.errorString()));
        return;
    }
    m_message.attachments.push_back({QFileInfo(path).fileName(), QMimeDatabase().mimeTypeForFile(path).name(), f.readAll()});
    refreshAttachments();
}

void ComposerWindow::refreshAttachments()
{
    m_attachmentList->clear();
    for (const compose::OutgoingAttachment &a : m_message.attachments)
        m_attachmentList->addItem(new QListWidgetItem(QIcon(QStringLiteral(":/icons/attachment.svg")),
                                                      QStringLiteral("%1 (%2 KB)").arg(a.fileName).arg((a.data.size() + 1023) / 1024)));
    m_attachmentList->setVisible(!m_message.attachments.empty());
}

void ComposerWindow::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

bool ComposerWindow::validateField(QLineEdit *edit, QStringList *out, QString *why)
{
    *out = compose::splitAddressField(edit->text());
    for (const QString &entry : *out) {
        QString name, addr;
        const QRegularExpression angle(QStringLiteral("<([^<>]+)>\\s*$"));
        auto m = angle.match(entry);
        addr = m.hasMatch() ? m.captured(1).trimmed() : entry.trimmed();
        const QString problem = compose::checkAddress(addr);
        if (!problem.isEmpty()) {
            edit->setStyleSheet(QStringLiteral("QLineEdit { background: #fed7d7; }"));
            *why = problem;
            return false;
        }
    }
    edit->setStyleSheet(QString());
    return true;
}

bool ComposerWindow::send()
{
    QString why;
    compose::OutgoingMessage m = m_message;
    if (!validateField(m_to, &m.to, &why) || !validateField(m_cc, &m.cc, &why) || !validateField(m_bcc, &m.bcc, &why)) {
        showProblem(tr("Cannot send: %1.").arg(why));
        return false;
    }
    if (m.to.isEmpty() && m.cc.isEmpty() && m.bcc.isEmpty()) {
        m_to->setStyleSheet(QStringLiteral("QLineEdit { background: #fed7d7; }"));
        showProblem(tr("Cannot send: add at least one recipient."));
        return false;
    }
    const qint64 accountId = m_from->currentData().toLongLong();
    auto account = m_store->account(accountId);
    if (!account) {
        showProblem(tr("Cannot send: no account with an outgoing server is configured."));
        return false;
    }
    const compose::OutgoingMessage now = current();
    m.fromName = now.fromName;
    m.fromAddress = now.fromAddress;
    m.replyTo = now.replyTo;
    m.subject = now.subject;
    m.body = now.body;
    m.html = now.html;
    static const QRegularExpression mentions(QStringLiteral("\\b(attach(ed|ment|ments)?|enclosed|anbei|angeh[äa]ngt|pi[eè]ce jointe)\\b"),
                                             QRegularExpression::CaseInsensitiveOption);
    // Only the user's own text counts, not quoted lines.
    QString own;
    for (const QString &line : m.body.split(QLatin1Char('\n')))
        if (!line.startsWith(QLatin1Char('>'))) own += line + QLatin1Char('\n');
    if (m.attachments.empty() && m_askAttachment && mentions.match(own).hasMatch()) {
        if (plainMessageBox(QMessageBox::Question, this, tr("Missing attachment?"),
                                  tr("The message mentions an attachment, but nothing is attached. Send anyway?"),
                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes)
            return false;
    }
    compose::BuiltMessage built;
    try {
        built = compose::buildMessage(m, account->email.section(QLatin1Char('@'), 1));
    } catch (const std::invalid_argument &e) {
        showProblem(tr("Cannot send: %1.").arg(QString::fromUtf8(e.what())));
        return false;
    }
    try {
        compose::Outbox outbox(*m_store);
        const qint64 id = outbox.enqueue(accountId, built, m.subject);
        // Sent: the draft (local and server copy) goes.
        if (m_draftId) outbox.dropDraft(m_draftId);
        else if (m_replacesUid) outbox.dropDraft(0, m_replacesUid, accountId);
        m_sent = true;
        Q_EMIT queued(accountId, id);
    } catch (const store::StoreError &e) {
        showProblem(tr("Cannot store the message (%1); nothing was sent.").arg(QString::fromUtf8(e.what())));
        return false;
    }
    close();
    return true;
}

void ComposerWindow::closeEvent(QCloseEvent *e)
{
    compose::Outbox outbox(*m_store);
    if (!m_sent && isDirty() && isVisible()) {
        const auto answer = plainMessageBox(QMessageBox::Question, this, tr("Save draft?"),
                                                  tr("This message has not been sent. Save it as a draft?"),
                                                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                  QMessageBox::Save);
        if (answer == QMessageBox::Cancel) {
            e->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            if (!saveDraft(true)) {
                e->ignore();
                return;
            }
        } else if (m_draftId && !m_explicitSave) {
            outbox.dropDraft(m_draftId); // only autosaved: discarding removes it
            m_draftId = 0;
        }
    }
    if (m_draftId && !m_sent) outbox.closeDraft(m_draftId);
    e->accept();
}

void ComposerWindow::dragEnterEvent(QDragEnterEvent *e)
{
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void ComposerWindow::dropEvent(QDropEvent *e)
{
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile()) addAttachmentFile(u.toLocalFile());
    e->acceptProposedAction();
}

} // namespace heron::ui
