// MainWindow's message and folder actions: flags, delete, move and copy,
// Archive/Junk, next unread, mark folder read, Empty Trash, folder create /
// rename / delete, message source and Save As. The window itself (panes,
// selection, composers, settings) is in MainWindow.cpp.
#include "MainWindow.h"

#include <QActionGroup>
#include "PlainText.h"

#include "AccountDialog.h"
#include "AccountActions.h"
#include "AccountWizard.h"
#include "SettingsDialog.h"
#include "CertificateDialog.h"
#include "ComposerWindow.h"
#include "IdentitiesDialog.h"
#include "compose/ReplyBuilder.h"
#include "mime/Envelope.h"
#include "mime/MessageContent.h"
#include "FolderModel.h"
#include "FolderTreeView.h"
#include "ItemRoles.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "OutboxPane.h"
#include "account/SecretStore.h"
#include "net/ImapResponse.h"
#include "ops/LocalOps.h"
#include "threads/Threads.h"
#include "store/MailStore.h"
#include "util/ErrorText.h"
#include "sync/AccountManager.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QIcon>
#include <QComboBox>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QPushButton>
#include <QHBoxLayout>
#include <QToolButton>
#include <QDir>
#include <QStandardPaths>
#include <QSaveFile>
#include <QPlainTextEdit>
#include <QFontDatabase>
#include <QFileDialog>
#include <QDialogButtonBox>
#include <QSystemTrayIcon>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace heron::ui {

using sync::AccountManager;

void MainWindow::setFlagsOnSelection(int flag, bool add)
{
    std::vector<int64_t> ids = selectedMessageIds();
    if (ids.empty()) return;
    ops::setFlags(*m_store, ids, flag, add);
    m_messages->applyLocalFlags(ids, flag, add);
    m_folders->updateCounts(m_messages->mailbox());
    afterLocalChange(currentAccountId());
}

void MainWindow::toggleFlagOnSelection(int flag)
{
    std::vector<int64_t> ids = selectedMessageIds();
    if (ids.empty()) return;
    // As the row at hand shows it (the current one, else the first selected).
    QModelIndex at = m_listView->currentIndex();
    if (!at.isValid() || !m_listView->selectionModel()->isRowSelected(at.row(), {})) at = m_messages->index(m_messages->rowOf(ids.front()), 0);
    const bool has = m_messages->index(at.row(), 0).data(FlagsRole).toInt() & flag;
    setFlagsOnSelection(flag, !has);
}

void MainWindow::deleteSelection()
{
    std::vector<int64_t> ids = selectedMessageIds();
    if (ids.empty()) return;
    if (ops::deleteIsPermanent(*m_store, ids)) {
        auto answer = plainMessageBox(QMessageBox::Question, this, tr("Delete permanently"),
                                            ids.size() == 1 ? tr("Delete this message permanently? This cannot be undone.")
                                                             : tr("Delete these %1 messages permanently? This cannot be undone.").arg(ids.size()),
                                            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) return;
    }
    const int row = m_listView->currentIndex().row();
    ops::deleteMessages(*m_store, ids);
    m_messages->refresh();
    m_folders->updateCounts(m_messages->mailbox());
    if (m_messages->rowCount() > 0)
        m_listView->setCurrentIndex(m_messages->index(std::min(row, m_messages->rowCount() - 1), MessageListModel::SubjectColumn));
    afterLocalChange(currentAccountId());
}

void MainWindow::transfer(const std::vector<int64_t> &ids, qint64 mailboxId, bool copy)
{
    if (ids.empty() || mailboxId == m_messages->mailbox()) return;
    auto dest = m_store->mailbox(mailboxId);
    if (!dest) return;
    // A message moved away (by the menu, a key, or dragged onto a folder)
    // leaves the reading pane too: the next one is shown, as after Delete.
    const int row = m_listView->currentIndex().row();
    const bool shownMoves = !copy && std::find(ids.begin(), ids.end(), m_view->currentMessageId()) != ids.end();
    if (copy) ops::copyMessages(*m_store, ids, mailboxId);
    else ops::moveMessages(*m_store, ids, mailboxId);
    m_messages->refresh();
    m_folders->updateCounts(m_messages->mailbox());
    if (shownMoves) {
        m_view->clear();
        if (row >= 0 && m_messages->rowCount() > 0)
            m_listView->setCurrentIndex(m_messages->index(std::min(row, m_messages->rowCount() - 1), MessageListModel::SubjectColumn));
    }
    afterLocalChange(dest->accountId);
}

// Shift+O: the conversation of the current message, from every folder of its
// account (your replies in Sent too). Choosing a folder goes back.
bool MainWindow::showConversation()
{
    std::vector<int64_t> sel = selectedMessageIds();
    const qint64 id = !sel.empty() ? sel.front() : m_view->currentMessageId();
    if (!id) return false;
    // Kept by the store once placed (threads/Threads.h); a message just
    // synced is looked up by its Message-IDs meanwhile.
    std::vector<int64_t> ids = threads::conversationOf(*m_store, id);
    if (ids.empty()) ids = m_store->conversation(id);
    std::vector<int64_t> mailboxes;
    for (const MessageRecord &m : m_store->messagesByIds(ids))
        if (std::find(mailboxes.begin(), mailboxes.end(), m.mailboxId) == mailboxes.end()) mailboxes.push_back(m.mailboxId);
    {
        const QSignalBlocker block(m_folderView->selectionModel());
        m_folderView->selectionModel()->clear(); // a click on any folder, even the same one, goes back
    }
    m_messages->showMessages(ids, mailboxes);
    const int row = m_messages->rowOf(id);
    if (row >= 0) m_listView->setCurrentIndex(m_messages->index(row, MessageListModel::SubjectColumn));
    m_statusLabel->setText(tr("Conversation: %1 messages in %2 folders. Choose a folder to go back.")
                               .arg(ids.size()).arg(mailboxes.size()));
    return true;
}

// N: the next unread message below the current one in this list, else the first one above.
bool MainWindow::selectNextUnread()
{
    // In a threaded list, across conversations (a collapsed one opens).
    const int from = m_listView->currentIndex().isValid() ? m_listView->currentIndex().row() : -1;
    const int r = m_messages->nextUnreadRow(from);
    if (r >= 0) {
        m_listView->setCurrentIndex(m_messages->index(r, MessageListModel::SubjectColumn));
        m_listView->scrollTo(m_listView->currentIndex());
        return true;
    }
    m_statusLabel->setText(tr("No unread message in this list"));
    return false;
}

void MainWindow::markFolderRead()
{
    std::vector<int64_t> ids;
    for (int64_t mailbox : m_messages->mailboxes())
        for (int64_t id : m_store->messageIds(mailbox, true)) ids.push_back(id);
    if (ids.empty()) return;
    ops::setFlags(*m_store, ids, Flag::Seen, true);
    m_messages->refresh();
    for (int64_t mailbox : m_messages->mailboxes()) m_folders->updateCounts(mailbox);
    m_statusLabel->setText(ids.size() == 1 ? tr("1 message marked as read") : tr("%1 messages marked as read").arg(ids.size()));
    afterLocalChange(currentAccountId());
}

void MainWindow::populateFolderOfflineMenu(QMenu *menu)
{
    // Called from aboutToShow: nothing thrown by the store leaves it.
    try {
        populateFolderOfflineMenuOrThrow(menu);
    } catch (...) {
        menu->clear();
        menu->addAction(tr("The folder's setting cannot be read: %1").arg(util::describeCurrentException().message))->setEnabled(false);
    }
}

void MainWindow::populateFolderOfflineMenuOrThrow(QMenu *menu)
{
    menu->clear();
    // The folder the tree shows (the list may be a search over many).
    const qint64 mailbox = m_folderView->currentIndex().data(MailboxIdRole).toLongLong();
    auto mb = mailbox > 0 ? m_store->mailbox(mailbox) : std::nullopt;
    auto acc = mb ? m_store->account(mb->accountId) : std::nullopt;
    if (!mb || !acc) {
        menu->addAction(tr("Choose a folder first"))->setEnabled(false);
        return;
    }
    if (acc->isPop3()) {
        menu->addAction(tr("Every message of this account is kept (POP3)"))->setEnabled(false);
        return;
    }
    auto words = [this](int days) {
        if (days < 0) return tr("All Messages");
        if (days == 0) return tr("Headers Only");
        return days == 1 ? tr("The Last Day") : tr("The Last %1 Days").arg(days);
    };
    const int own = m_store->mailboxOfflineDays(mailbox);
    auto *group = new QActionGroup(menu);
    auto add = [&](const QString &text, int days, bool checked) {
        QAction *a = menu->addAction(text);
        a->setCheckable(true);
        a->setChecked(checked);
        a->setData(days);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, mailbox, days] { setFolderOffline(mailbox, days); });
        return a;
    };
    add(tr("As the Account (%1)").arg(words(acc->offlineDays)), store::MailStore::kInheritOffline, own == store::MailStore::kInheritOffline);
    menu->addSeparator();
    bool matched = own == store::MailStore::kInheritOffline;
    for (int days : {-1, 30, 90, 365, 0}) {
        add(words(days), days, own == days);
        matched = matched || own == days;
    }
    QAction *other = menu->addAction(matched ? tr("Other Number of Days…") : tr("%1 (Other…)").arg(words(own)));
    other->setCheckable(true);
    other->setChecked(!matched);
    group->addAction(other);
    connect(other, &QAction::triggered, this, [this, mailbox, own] {
        bool ok = false;
        const int days = QInputDialog::getInt(this, tr("Keep for Offline Use"), tr("Keep the messages of the last (days):"),
                                              own > 0 ? own : 90, 1, 36500, 1, &ok);
        if (ok) setFolderOffline(mailbox, days);
    });
}

void MainWindow::setFolderOffline(qint64 mailboxId, int days)
{
    std::optional<MailboxRecord> mb;
    try {
        mb = m_store->mailbox(mailboxId);
        if (!mb) return;
        m_store->setMailboxOfflineDays(mailboxId, days);
    } catch (...) {
        m_statusLabel->setText(tr("The setting could not be saved: %1").arg(util::describeCurrentException().message));
        return;
    }
    const QString name = net::decodeMailboxName(mb->name.toLatin1());
    m_statusLabel->setText(days == store::MailStore::kInheritOffline ? tr("%1: kept offline as its account says").arg(name)
                           : days == 0 ? tr("%1: headers only; message texts are downloaded when opened").arg(name)
                           : tr("%1: messages are downloaded for offline use").arg(name));
    // A wider window is filled now (the download follows a sync); a
    // narrower one is applied by the next pass.
    if (!m_manager->workOffline()) m_manager->syncAccount(mb->accountId);
}

std::vector<int64_t> MainWindow::allMailboxIds() const
{
    std::vector<int64_t> ids;
    for (const AccountConfig &a : m_store->accounts())
        for (const MailboxRecord &mb : m_store->mailboxes(a.id))
            if (mb.selectable) ids.push_back(mb.id);
    return ids;
}

void MainWindow::updateFolderColumn()
{
    // Where each hit is, when the list spans several folders.
    m_listView->setColumnHidden(MessageListModel::FolderColumn, m_messages->mailboxes().size() <= 1);
}

void MainWindow::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    m_saveSearch->setEnabled(!text.isEmpty());
    const bool all = m_searchScope->currentIndex() == 1 && !text.isEmpty();
    if (all && !m_searchingAll) {
        m_searchingAll = true;
        m_markReadTimer->stop();
        m_view->clear();
        m_messages->setFilter(text); // before the switch: one query, not two
        m_messages->setMailboxes(allMailboxIds());
        setWindowTitle(tr("All Mail - Heron"));
        return;
    }
    if (!all && m_searchingAll) {
        // Back to the folder chosen in the tree, with the filter (if any) on it.
        m_searchingAll = false;
        m_messages->setFilter(text);
        m_messages->setMailbox(0);
        onFolderSelected();
        return;
    }
    m_messages->setFilter(text);
}

bool MainWindow::saveCurrentSearch(const QString &givenName)
{
    const QString query = m_filter->text().trimmed();
    if (query.isEmpty()) return false;
    QString name = givenName;
    if (name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(this, tr("Save Search"), tr("Name of the saved search:"), QLineEdit::Normal, query, &ok).trimmed();
        if (!ok || name.isEmpty()) return false;
    }
    int64_t id = 0;
    try {
        id = m_store->addSavedSearch(name, query);
    } catch (...) {
        m_statusLabel->setText(tr("The search could not be saved: %1").arg(util::describeCurrentException().message));
        return false;
    }
    {
        const QSignalBlocker block(m_filter);
        m_filter->clear();
        m_saveSearch->setEnabled(false);
    }
    m_searchingAll = false;
    {
        const QSignalBlocker block(m_searchScope);
        m_searchScope->setCurrentIndex(0);
    }
    m_messages->setFilter(QString());
    reloadFolders();
    m_folderView->setCurrentIndex(m_folders->indexForSavedSearch(id)); // shows it (all accounts)
    m_statusLabel->setText(tr("Search saved as \"%1\" under Saved Searches").arg(name));
    return true;
}

void MainWindow::emptyTrash()
{
    const qint64 trash = m_messages->mailbox();
    auto mb = m_store->mailbox(trash);
    if (!mb || mb->specialUse != QLatin1String("\\Trash")) return;
    const std::vector<int64_t> ids = m_store->messageIds(trash);
    if (ids.empty()) return;
    if (plainMessageBox(QMessageBox::Question, this, tr("Empty Trash"),
                              tr("Delete the %1 messages in the Trash permanently? This cannot be undone.").arg(ids.size()),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    ops::deleteMessages(*m_store, ids); // already in Trash: removed for good
    m_messages->refresh();
    m_folders->updateCounts(trash);
    m_statusLabel->setText(tr("Trash emptied"));
    afterLocalChange(mb->accountId);
}

void MainWindow::moveSelectionToRole(const QString &role, const QString &defaultName)
{
    const std::vector<int64_t> ids = selectedMessageIds();
    if (ids.empty()) return;
    const int row = m_listView->currentIndex().row();
    const size_t foldersBefore = m_store->mailboxes(currentAccountId()).size();
    const int moved = ops::moveToRole(*m_store, ids, role, defaultName);
    if (m_store->mailboxes(currentAccountId()).size() != foldersBefore) reloadFolders(); // a folder was created
    m_messages->refresh();
    m_folders->updateCounts(m_messages->mailbox());
    if (auto dest = m_store->mailboxByRole(currentAccountId(), role)) m_folders->updateCounts(dest->id);
    if (m_messages->rowCount() > 0 && row >= 0)
        m_listView->setCurrentIndex(m_messages->index(std::min(row, m_messages->rowCount() - 1), MessageListModel::SubjectColumn));
    const QString where = role == QLatin1String("\\Archive") ? tr("Archive") : role == QLatin1String("\\Junk") ? tr("Junk") : tr("Inbox");
    m_statusLabel->setText(moved == 1 ? tr("1 message moved to %1").arg(where) : tr("%1 messages moved to %2").arg(moved).arg(where));
    afterLocalChange(currentAccountId());
}

void MainWindow::moveSelectionTo(qint64 mailboxId, bool copy) { transfer(selectedMessageIds(), mailboxId, copy); }

void MainWindow::populateMoveMenu(QMenu *menu, bool copy)
{
    menu->clear();
    const qint64 account = currentAccountId();
    for (const MailboxRecord &mb : m_store->mailboxes(account)) {
        if (!mb.selectable || mb.id == m_messages->mailbox()) continue;
        QAction *a = menu->addAction(FolderModel::iconFor(mb.specialUse),
                                     mb.specialUse == QLatin1String("\\Inbox") ? tr("Inbox") : net::decodeMailboxName(mb.name.toLatin1()));
        const qint64 id = mb.id;
        connect(a, &QAction::triggered, this, [this, id, copy] { moveSelectionTo(id, copy); });
    }
    if (menu->isEmpty()) menu->addAction(tr("(no other folder)"))->setEnabled(false);
}

void MainWindow::newFolder()
{
    const qint64 account = currentAccountId();
    if (!account) return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Folder"), tr("Folder name:"), QLineEdit::Normal, QString(), &ok).trimmed();
    if (!ok || name.isEmpty()) return;
    QModelIndex idx = m_folderView->currentIndex();
    QString parentRaw = idx.data(RawMailboxNameRole).toString();
    auto parent = m_store->mailbox(idx.data(MailboxIdRole).toLongLong());
    QString delimiter = parent ? parent->delimiter : QStringLiteral("/");
    if (name.contains(delimiter)) {
        plainMessageBox(QMessageBox::Warning, this, tr("New Folder"), tr("A folder name cannot contain \"%1\".").arg(delimiter));
        return;
    }
    QString raw = QString::fromLatin1(net::encodeMailboxName(name));
    if (parent && parent->specialUse != QLatin1String("\\Inbox")) raw = parentRaw + delimiter + raw;
    ops::createFolder(*m_store, account, raw);
    reloadFolders();
    afterLocalChange(account);
}

void MainWindow::renameFolder()
{
    QModelIndex idx = m_folderView->currentIndex();
    auto mb = m_store->mailbox(idx.data(MailboxIdRole).toLongLong());
    if (!mb || mb->specialUse == QLatin1String("\\Inbox")) return;
    bool ok = false;
    const QString oldName = FolderModel::displayName(mb->name, mb->delimiter, mb->specialUse);
    const QString name = QInputDialog::getText(this, tr("Rename Folder"), tr("New name:"), QLineEdit::Normal, oldName, &ok).trimmed();
    if (!ok || name.isEmpty() || name == oldName) return;
    QString raw = QString::fromLatin1(net::encodeMailboxName(name));
    if (!mb->delimiter.isEmpty() && mb->name.contains(mb->delimiter))
        raw = mb->name.section(mb->delimiter, 0, -2) + mb->delimiter + raw;
    ops::renameFolder(*m_store, mb->id, raw);
    reloadFolders();
    afterLocalChange(mb->accountId);
}

void MainWindow::deleteFolder()
{
    QModelIndex idx = m_folderView->currentIndex();
    auto mb = m_store->mailbox(idx.data(MailboxIdRole).toLongLong());
    if (!mb || mb->specialUse == QLatin1String("\\Inbox")) return;
    const QString name = FolderModel::displayName(mb->name, mb->delimiter, mb->specialUse);
    if (plainMessageBox(QMessageBox::Question, this, tr("Delete Folder"),
                              tr("Delete the folder \"%1\" and the %2 messages in it from the server?").arg(name).arg(mb->totalCount),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    ops::deleteFolder(*m_store, mb->id);
    m_messages->setMailbox(0);
    reloadFolders();
    afterLocalChange(mb->accountId);
}

// The raw message as received (headers included), read-only, for the curious
// and for reporting problems. Shown as Latin-1 so no byte can alter the view.
QDialog *MainWindow::showSource()
{
    const qint64 id = m_view->currentMessageId();
    const auto raw = id ? m_store->body(id) : std::nullopt;
    if (!raw) {
        m_statusLabel->setText(tr("Select a downloaded message to see its source."));
        return nullptr;
    }
    auto *dlg = new QDialog(this);
    dlg->setObjectName(QStringLiteral("sourceDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    auto m = m_store->message(id);
    dlg->setWindowTitle(tr("Source of \"%1\"").arg(m ? m->subject : QString()));
    dlg->resize(800, 600);
    auto *layout = new QVBoxLayout(dlg);
    auto *text = new QPlainTextEdit(dlg);
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    constexpr qsizetype limit = 4 << 20; // a huge attachment would only slow the view down
    QString shown = QString::fromLatin1(raw->left(limit));
    if (raw->size() > limit) shown += tr("\n[… %1 more bytes not shown; use Save As… for the whole message]").arg(raw->size() - limit);
    text->setPlainText(shown);
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dlg);
    connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
    layout->addWidget(buttons);
    dlg->show();
    return dlg;
}

// Saves the message exactly as received, as an .eml file any mail program opens.
bool MainWindow::saveMessageAs(const QString &path)
{
    const qint64 id = m_view->currentMessageId();
    const auto raw = id ? m_store->body(id) : std::nullopt;
    if (!raw) {
        m_statusLabel->setText(tr("Select a downloaded message to save it."));
        return false;
    }
    QString target = path;
    if (target.isEmpty()) {
        auto m = m_store->message(id);
        QString name = (m && !m->subject.isEmpty() ? m->subject : tr("message")).left(80);
        for (QChar &c : name)
            if (c == QLatin1Char('/') || c == QLatin1Char('\\') || c == QLatin1Char(':') || c.category() == QChar::Other_Control)
                c = QLatin1Char('_');
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        target = QFileDialog::getSaveFileName(this, tr("Save Message As"), QDir(dir).filePath(name + QStringLiteral(".eml")),
                                              tr("Mail messages (*.eml)"));
        if (target.isEmpty()) return false;
    }
    QSaveFile f(target);
    if (!f.open(QIODevice::WriteOnly) || f.write(*raw) != raw->size() || !f.commit()) {
        plainMessageBox(QMessageBox::Warning, this, tr("Save Message As"), tr("Could not save %1: %2").arg(target, f.errorString()));
        return false;
    }
    m_statusLabel->setText(tr("Saved to %1").arg(target));
    return true;
}

} // namespace heron::ui
