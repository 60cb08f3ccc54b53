#include "MainWindow.h"
#include "PlainText.h"

#include "mime/Address.h"

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
#include "ThreadDelegate.h"
#include "QueuedChangesDialog.h"
#include "MessageView.h"
#include "OutboxPane.h"
#include "account/SecretStore.h"
#include "net/ImapResponse.h"
#include "ops/LocalOps.h"
#include "store/MailStore.h"
#include "util/ErrorText.h"
#include "sync/AccountManager.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QIcon>
#include <QInputDialog>
#include <QKeySequence>
#include <QUrlQuery>
#include <QLabel>
#include <QLineEdit>
#include <QComboBox>
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
#include <QKeyEvent>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

// Resources live in the static heron_ui library; register them explicitly.
static void initHeronResources() { Q_INIT_RESOURCE(resources); }

namespace heron::ui {

namespace {
// Esc clears a line edit that has text (a QShortcut on the line edit itself
// does not fire for Esc).
class EscapeClears : public QObject {
public:
    explicit EscapeClears(QLineEdit *edit) : QObject(edit), m_edit(edit) {}
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_edit && event->type() == QEvent::KeyPress &&
            static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape && !m_edit->text().isEmpty()) {
            m_edit->clear();
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QLineEdit *m_edit;
};

// Left and Right on a threaded message list collapse and expand the current
// conversation (other keys, and lists without threads, keep their meaning).
class ThreadKeys : public QObject {
public:
    ThreadKeys(QTreeView *view, MessageListModel *model) : QObject(view), m_view(view), m_model(model) {}
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched != m_view || event->type() != QEvent::KeyPress || !m_model->threaded()) return QObject::eventFilter(watched, event);
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() & ~Qt::KeypadModifier) return false;
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid()) return false;
        using State = MessageListModel::ThreadState;
        const State state = m_model->threadState(current.row());
        if (key->key() == Qt::Key_Left && (state == State::Expanded || state == State::Member)) {
            const int head = m_model->setExpanded(current.row(), false);
            m_view->setCurrentIndex(m_model->index(head, MessageListModel::SubjectColumn));
            m_view->scrollTo(m_view->currentIndex());
            return true;
        }
        if (key->key() == Qt::Key_Right && state == State::Collapsed) {
            m_model->setExpanded(current.row(), true);
            return true;
        }
        return false;
    }

private:
    QTreeView *m_view;
    MessageListModel *m_model;
};
} // namespace

using sync::AccountManager;

MainWindow::MainWindow(Profile profile, bool startOffline, QWidget *parent)
    : QMainWindow(parent), m_profile(std::move(profile))
{
    initHeronResources();
    setWindowTitle(QStringLiteral("Heron"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/heron.svg")));
    m_secrets = std::make_shared<SecretStore>(m_profile.secretsPath());
    m_store = std::make_unique<store::MailStore>(m_profile.databasePath());
    m_settings = new QSettings(m_profile.settingsPath(), QSettings::IniFormat, this);
    startOffline = startOffline || m_settings->value(QStringLiteral("general/startOffline"), false).toBool();
    m_manager = std::make_unique<AccountManager>(m_profile, m_secrets);
    m_accountActions = new AccountActions(m_profile, m_store.get(), m_secrets, m_manager.get(), this);
    connect(m_accountActions, &AccountActions::status, this, [this](const QString &text) { m_statusLabel->setText(text); });
    connect(m_accountActions, &AccountActions::accountsChanged, this, &MainWindow::reloadFolders);

    m_folders = new FolderModel(m_store.get(), this);
    m_messages = new MessageListModel(m_store.get(), this);

    m_folderView = new FolderTreeView(this);
    m_folderView->setModel(m_folders);
    m_folderView->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto *listPane = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->setSpacing(2);
    m_filter = new QLineEdit(listPane);
    m_filter->setPlaceholderText(tr("Search: words, \"phrases\", from:, subject:, is:unread…"));
    m_filter->setToolTip(tr("<p>Searches the sender, recipients, subject, text and attachment names.</p>"
                            "<p><b>word</b> (also finds longer words it starts), <b>\"a phrase\"</b>, "
                            "<b>from:</b>, <b>to:</b>, <b>cc:</b>, <b>subject:</b>, <b>filename:</b>, "
                            "<b>has:attachment</b>, <b>is:unread</b>, <b>is:flagged</b>, <b>is:answered</b>, "
                            "<b>before:</b>2026-11-30, <b>after:</b>2026-11-01, <b>in:</b>folder, <b>account:</b>name, "
                            "<b>OR</b>, <b>-</b>word to leave out.</p>"));
    m_filter->setClearButtonEnabled(true);
    // Esc in the search line clears it (the whole folder shows again).
    m_filter->installEventFilter(new EscapeClears(m_filter));
    m_listView = new QTreeView(listPane);
    m_listView->setModel(m_messages);
    m_listView->setRootIsDecorated(false);
    m_listView->setUniformRowHeights(true); // required for smooth scrolling over 100k rows
    // A sender shown with its real address ("name <address>") keeps the
    // address visible in a narrow column: elided in the middle.
    m_listView->setItemDelegateForColumn(MessageListModel::FromColumn, new MiddleElideDelegate(m_listView));
    // Conversations: indented subjects, an arrow to open or close each one.
    auto *threadDelegate = new ThreadDelegate(m_listView);
    m_listView->setItemDelegateForColumn(MessageListModel::SubjectColumn, threadDelegate);
    connect(threadDelegate, &ThreadDelegate::toggleRequested, this, [this](int row) {
        m_messages->setExpanded(row, m_messages->threadState(row) == MessageListModel::ThreadState::Collapsed);
    });
    m_listView->installEventFilter(new ThreadKeys(m_listView, m_messages));
    m_listView->setAlternatingRowColors(true);
    m_listView->setSortingEnabled(true);
    m_listView->sortByColumn(MessageListModel::DateColumn, Qt::DescendingOrder);
    m_listView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_listView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_listView->setDragEnabled(true);
    m_listView->setDragDropMode(QAbstractItemView::DragOnly);
    m_listView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_listView->setAllColumnsShowFocus(true);
    QHeaderView *h = m_listView->header();
    h->setStretchLastSection(false);
    h->setSectionResizeMode(MessageListModel::SubjectColumn, QHeaderView::Stretch);
    for (int c : {MessageListModel::StatusColumn, MessageListModel::FlagColumn, MessageListModel::AttachmentColumn}) {
        h->setSectionResizeMode(c, QHeaderView::Fixed);
        h->resizeSection(c, 26);
    }
    h->resizeSection(MessageListModel::FromColumn, 200);
    h->resizeSection(MessageListModel::DateColumn, 130);
    h->resizeSection(MessageListModel::SizeColumn, 70);
    h->resizeSection(MessageListModel::FolderColumn, 180);
    // The filter line with "Unread" and "Flagged" toggles beside it.
    auto *filterRow = new QHBoxLayout;
    filterRow->setSpacing(2);
    filterRow->addWidget(m_filter, 1);
    auto toggle = [&](const QString &icon, const QString &text, const QString &name) {
        auto *b = new QToolButton(listPane);
        b->setObjectName(name);
        b->setIcon(QIcon(icon));
        b->setText(text);
        b->setToolTip(tr("Show only %1 messages").arg(text.toLower()));
        b->setCheckable(true);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setAutoRaise(true);
        filterRow->addWidget(b);
        return b;
    };
    m_unreadOnly = toggle(QStringLiteral(":/icons/unread.svg"), tr("Unread"), QStringLiteral("unreadOnlyButton"));
    m_flaggedOnly = toggle(QStringLiteral(":/icons/flag.svg"), tr("Flagged"), QStringLiteral("flaggedOnlyButton"));
    for (QToolButton *b : {m_unreadOnly, m_flaggedOnly})
        connect(b, &QToolButton::toggled, this, [this] { m_messages->setStateFilter(m_unreadOnly->isChecked(), m_flaggedOnly->isChecked()); });
    // Where the filter looks: this folder, or every folder of every account.
    m_searchScope = new QComboBox(listPane);
    m_searchScope->setObjectName(QStringLiteral("searchScope"));
    m_searchScope->addItem(tr("This Folder"));
    m_searchScope->addItem(tr("All Mail"));
    m_searchScope->setToolTip(tr("Search this folder, or all mail of every account"));
    filterRow->insertWidget(1, m_searchScope);
    m_saveSearch = new QToolButton(listPane);
    m_saveSearch->setObjectName(QStringLiteral("saveSearchButton"));
    m_saveSearch->setIcon(QIcon(QStringLiteral(":/icons/search.svg")));
    m_saveSearch->setText(tr("Save"));
    m_saveSearch->setToolTip(tr("Save this search as a folder (under Saved Searches)"));
    m_saveSearch->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_saveSearch->setAutoRaise(true);
    m_saveSearch->setEnabled(false);
    filterRow->insertWidget(2, m_saveSearch);
    connect(m_searchScope, &QComboBox::currentIndexChanged, this, [this] { applyFilter(); });
    connect(m_saveSearch, &QToolButton::clicked, this, [this] { saveCurrentSearch(); });
    listLayout->addLayout(filterRow);
    listLayout->addWidget(m_listView, 1);

    m_view = new MessageView(this);

    m_vsplit = new QSplitter(Qt::Vertical, this);
    m_vsplit->addWidget(listPane);
    m_vsplit->addWidget(m_view);
    m_vsplit->setStretchFactor(0, 2);
    m_vsplit->setStretchFactor(1, 3);
    m_outboxPane = new OutboxPane(m_store.get(), this);
    m_rightStack = new QStackedWidget(this);
    m_rightStack->addWidget(m_vsplit);
    m_rightStack->addWidget(m_outboxPane);
    m_hsplit = new QSplitter(Qt::Horizontal, this);
    m_hsplit->addWidget(m_folderView);
    m_hsplit->addWidget(m_rightStack);
    m_hsplit->setStretchFactor(0, 0);
    m_hsplit->setStretchFactor(1, 1);
    m_hsplit->setSizes({230, 900});
    m_vsplit->setSizes({300, 420});
    setCentralWidget(m_hsplit);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setTextFormat(Qt::PlainText); // server and message text: never markup
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(180);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_networkIcon = new QLabel(this);
    // Shown while a server refused some of the user's changes: opens the list.
    m_failedChanges = new QToolButton(this);
    m_failedChanges->setObjectName(QStringLiteral("failedChanges"));
    m_failedChanges->setAutoRaise(true);
    m_failedChanges->setIcon(QIcon(QStringLiteral(":/icons/status-error.svg")));
    m_failedChanges->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_failedChanges->hide();
    connect(m_failedChanges, &QToolButton::clicked, this, &MainWindow::showQueuedChanges);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_failedChanges);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_networkIcon);

    m_markReadTimer = new QTimer(this);
    m_markReadTimer->setSingleShot(true);
    connect(m_markReadTimer, &QTimer::timeout, this, [this] {
        const qint64 id = m_view->currentMessageId();
        if (!id) return;
        int row = m_messages->rowOf(id);
        if (row < 0 || !m_messages->index(row, 0).data(IsUnreadRole).toBool()) return;
        ops::setFlags(*m_store, {id}, Flag::Seen, true);
        m_messages->applyLocalFlags({id}, Flag::Seen, true);
        m_folders->updateCounts(m_messages->mailbox());
        afterLocalChange(currentAccountId());
    });
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(150);
    connect(m_refreshTimer, &QTimer::timeout, this, [this] { m_messages->refresh(); });

    buildActions();
    applySettings();
    connect(m_view, &MessageView::allowSender, this, [this](const QString &address) {
        QStringList allowed = m_settings->value(QStringLiteral("privacy/allowedSenders")).toStringList();
        if (!allowed.contains(address, Qt::CaseInsensitive)) allowed << address;
        m_settings->setValue(QStringLiteral("privacy/allowedSenders"), allowed);
    });
    connect(m_view, &MessageView::viewSourceRequested, this, [this] { showSource(); });
    connect(m_view, &MessageView::composeTo, this, [this](const QUrl &mailto) {
        // mailto:a@b?subject=...: the address and subject, nothing else (no
        // body or attachment a message could slip into a reply).
        compose::OutgoingMessage start;
        const QString to = mailto.path(QUrl::FullyDecoded).trimmed();
        if (!to.isEmpty()) start.to << to.split(QLatin1Char(','), Qt::SkipEmptyParts);
        start.subject = QUrlQuery(mailto).queryItemValue(QStringLiteral("subject"), QUrl::FullyDecoded).left(500);
        auto *composer = new ComposerWindow(m_store.get(), currentAccountId(), start, this);
        composer->setObjectName(QStringLiteral("composer"));
        showComposer(composer);
    }, Qt::QueuedConnection);

    connect(m_folderView->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onFolderSelected);
    connect(m_messages, &QAbstractItemModel::modelReset, this, &MainWindow::updateFolderColumn);
    connect(m_listView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onMessageSelected);
    connect(m_listView, &QAbstractItemView::activated, this, [this](const QModelIndex &i) {
        // Opening a message in a Drafts folder continues it in the composer.
        if (m_folderView->currentIndex().data(SpecialUseRole).toString() == QLatin1String("\\Drafts"))
            openDraft(m_messages->messageId(i.row()));
    });
    // Headers are filtered at once (SQLite); the message text is searched a
    // moment after typing stops, on the account workers (cached bodies, and
    // the IMAP server when online), and its hits join the list.
    m_textSearchTimer = new QTimer(this);
    m_textSearchTimer->setSingleShot(true);
    m_textSearchTimer->setInterval(400);
    connect(m_filter, &QLineEdit::textChanged, this, [this] {
        applyFilter();
        m_textSearchTimer->start();
    });
    connect(m_textSearchTimer, &QTimer::timeout, this, [this] {
        const QString text = m_messages->filter();
        if (text.size() < 3) return;
        // The server is asked for one folder or a few (All Inboxes), not for all mail.
        if (m_messages->mailboxes().size() > 8) return;
        m_searchPending = 0;
        for (int64_t mailbox : m_messages->mailboxes())
            if (auto mb = m_store->mailbox(mailbox)) {
                m_manager->searchText(mb->accountId, mailbox, text);
                ++m_searchPending;
            }
        if (m_searchPending) m_statusLabel->setText(tr("Searching the message text for \"%1\"…").arg(text));
    });
    // New messages or texts in the index: a search on screen may find more.
    connect(m_manager.get(), &AccountManager::indexUpdated, this, [this] {
        if (!m_messages->filter().isEmpty() || !m_messages->baseQuery().isEmpty()) m_messages->refresh();
        // New messages placed in their conversations (coalesced: a big sync
        // reports many batches).
        else if (m_messages->threaded() && !m_refreshTimer->isActive()) m_refreshTimer->start();
    });
    connect(m_manager.get(), &AccountManager::searchResults, this,
            [this](qint64 mailboxId, const QString &text, const QList<qint64> &ids, bool serverAsked) {
                if (text != m_messages->filter() || !m_messages->shows(mailboxId)) return; // stale
                const int before = m_messages->rowCount();
                m_messages->addTextMatches(ids);
                if (--m_searchPending > 0) return;
                const int more = m_messages->rowCount() - before;
                m_statusLabel->setText(serverAsked ? tr("Also searched on the server: %1 more found whose text is not downloaded (in italics)").arg(more)
                                                   : tr("Searched the downloaded messages"));
                Q_EMIT textSearchFinished();
            });
    connect(m_folderView, &FolderTreeView::messagesDropped, this,
            [this](qint64 mailbox, const std::vector<int64_t> &ids, bool copy) { transfer(ids, mailbox, copy); });

    connect(m_manager.get(), &AccountManager::stateChanged, this,
            [this](qint64 accountId, AccountManager::State s, const QString &text) {
                if (!text.isEmpty()) m_statusLabel->setText(text);
                // A failing account says so on its own row; the others are unaffected.
                const bool unreachable = s == AccountManager::State::Offline && !m_manager->workOffline() &&
                                         !m_manager->lastError(accountId).isEmpty();
                const bool problem = unreachable || s == AccountManager::State::Error ||
                                     s == AccountManager::State::NeedsPassword || s == AccountManager::State::NeedsTrust;
                QString why = text.isEmpty() ? m_manager->lastError(accountId) : text;
                if (s == AccountManager::State::NeedsPassword && why.isEmpty()) why = tr("The password is needed.");
                m_folders->setAccountProblem(accountId, problem ? why : QString());
                const bool online = s == AccountManager::State::Online || s == AccountManager::State::Connecting;
                m_networkIcon->setPixmap(QIcon(online ? QStringLiteral(":/icons/online.svg") : QStringLiteral(":/icons/offline.svg")).pixmap(16, 16));
                m_networkIcon->setToolTip(online ? tr("Online") : tr("Offline"));
                if (s != AccountManager::State::Connecting && s != AccountManager::State::Online) m_progress->hide();
            });
    connect(m_manager.get(), &AccountManager::progress, this, [this](qint64, qint64 mailboxId, int cached, int total) {
        if (cached >= total) {
            m_progress->hide();
        } else {
            m_progress->setRange(0, total);
            m_progress->setValue(cached);
            m_progress->setFormat(tr("%v of %m"));
            m_progress->show();
        }
        Q_UNUSED(mailboxId);
    });
    connect(m_manager.get(), &AccountManager::mailboxChanged, this, [this](qint64 mailboxId) {
        m_folders->updateCounts(mailboxId);
        updateFailedChanges();
        if (m_messages->shows(mailboxId) && !m_refreshTimer->isActive()) m_refreshTimer->start();
        noticeNewMail(mailboxId);
    });
    connect(m_manager.get(), &AccountManager::foldersChanged, this, &MainWindow::reloadFolders);
    connect(m_manager.get(), &AccountManager::foldersChanged, this, &MainWindow::updateFailedChanges);
    connect(m_manager.get(), &AccountManager::queueChanged, this, &MainWindow::updateFailedChanges);
    connect(m_manager.get(), &AccountManager::bodyReady, this, [this](qint64 id) {
        if (id == m_waitingBody) showBody(id);
    });
    connect(m_manager.get(), &AccountManager::bodyFailed, this, [this](qint64 id, const QString &msg) {
        if (id != m_waitingBody) return;
        if (auto m = m_store->message(id)) m_view->showError(*m, msg);
    });
    connect(m_outboxPane, &OutboxPane::changed, this, [this](qint64 accountId, bool sendNow) {
        reloadFolders();
        if (sendNow) m_manager->syncAccount(accountId);
    });

    reloadFolders();
    restoreLayout();
    m_statusLabel->setText(startOffline ? tr("Working offline") : tr("Ready"));
    m_networkIcon->setPixmap(QIcon(QStringLiteral(":/icons/offline.svg")).pixmap(16, 16));
    // Start the network after the first paint: the cached folders show at once.
    QTimer::singleShot(0, this, [this, startOffline] {
        m_manager->start(startOffline);
        if (m_store->accounts().empty()) {
            m_statusLabel->setText(tr("Welcome to Heron. Add an account to start (File → Add Account…)."));
            addAccount();
        }
        if (m_offlineAction) m_offlineAction->setChecked(startOffline);
    });
}

MainWindow::~MainWindow()
{
    // Views and models read the store: take them down before it goes.
    m_manager.reset();
    delete m_hsplit;
    delete m_messages;
    delete m_folders;
}

QString MainWindow::statusText() const { return m_statusLabel->text(); }

void MainWindow::buildActions()
{
    auto make = [this](const QString &icon, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(icon.isEmpty() ? QIcon() : QIcon(icon), text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    QAction *getMail = make(QStringLiteral(":/icons/get-mail.svg"), tr("Get Messages"), QKeySequence(Qt::Key_F5),
                            [this] { m_manager->syncAll(); });
    QAction *markRead = make(QStringLiteral(":/icons/mark-read.svg"), tr("Mark as Read"), QKeySequence(Qt::Key_R),
                             [this] { setFlagsOnSelection(Flag::Seen, true); });
    QAction *markUnread = make(QStringLiteral(":/icons/mark-unread.svg"), tr("Mark as Unread"), QKeySequence(Qt::Key_U),
                               [this] { setFlagsOnSelection(Flag::Seen, false); });
    QAction *flag = make(QStringLiteral(":/icons/flag.svg"), tr("Flag / Unflag"), QKeySequence(Qt::Key_S),
                         [this] { toggleFlagOnSelection(Flag::Flagged); });
    QAction *del = make(QStringLiteral(":/icons/delete.svg"), tr("Delete"), QKeySequence(QKeySequence::Delete),
                        [this] { deleteSelection(); });
    QAction *conversation = make(QString(), tr("Show Conversation"), QKeySequence(QStringLiteral("Shift+O")),
                                 [this] { showConversation(); });
    QAction *nextUnread = make(QString(), tr("Next Unread Message"), QKeySequence(Qt::Key_N), [this] { selectNextUnread(); });
    QAction *archive = make(QStringLiteral(":/icons/archive.svg"), tr("Archive"), QKeySequence(Qt::Key_A),
                            [this] { moveSelectionToRole(QStringLiteral("\\Archive"), QStringLiteral("Archive")); });
    QAction *junk = make(QStringLiteral(":/icons/junk.svg"), tr("Mark as Junk"), QKeySequence(Qt::Key_J),
                         [this] { moveSelectionToRole(QStringLiteral("\\Junk"), QStringLiteral("Junk")); });
    m_notJunkAction = make(QString(), tr("Not Junk"), QKeySequence(QStringLiteral("Shift+J")),
                           [this] { moveSelectionToRole(QStringLiteral("\\Inbox"), QStringLiteral("INBOX")); });
    m_notJunkAction->setEnabled(false);
    m_offlineAction = make(QString(), tr("Work Offline"), QKeySequence(), [this](bool on) { m_manager->setWorkOffline(on); });
    m_offlineAction->setCheckable(true);
    QAction *filter = make(QString(), tr("Quick Filter"), QKeySequence(QStringLiteral("Ctrl+Shift+K")), [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    QAction *quit = make(QString(), tr("Quit"), QKeySequence::Quit, [this] { close(); });
    QAction *newMessage = make(QStringLiteral(":/icons/drafts.svg"), tr("New Message"), QKeySequence(QStringLiteral("Ctrl+N")),
                               [this] { openComposer(-1); });
    QAction *reply = make(QStringLiteral(":/icons/reply.svg"), tr("Reply"), QKeySequence(QStringLiteral("Ctrl+R")),
                          [this] { openComposer(int(compose::ReplyKind::Reply)); });
    QAction *replyAll = make(QStringLiteral(":/icons/reply-all.svg"), tr("Reply All"), QKeySequence(QStringLiteral("Ctrl+Shift+R")),
                             [this] { openComposer(int(compose::ReplyKind::ReplyAll)); });
    QAction *forwardAttached = make(QStringLiteral(":/icons/forward.svg"), tr("Forward as Attachment"), QKeySequence(),
                                    [this] { openComposer(int(compose::ReplyKind::ForwardAsAttachment)); });
    QAction *forward = make(QStringLiteral(":/icons/forward.svg"), tr("Forward"), QKeySequence(QStringLiteral("Ctrl+L")),
                            [this] { openComposer(int(compose::ReplyKind::Forward)); });
    QAction *signatureAct = make(QString(), tr("Signature…"), QKeySequence(), [this] { editSignature(); });
    QAction *identitiesAct = make(QString(), tr("Identities…"), QKeySequence(),
                                  [this] { editIdentities(currentAccountId()); });
    QAction *settingsAct = make(QString(), tr("Settings…"), QKeySequence(QStringLiteral("Ctrl+,")), [this] { editSettings(); });
    QAction *addAccountAct = make(QStringLiteral(":/icons/account.svg"), tr("Add Account…"), QKeySequence(), [this] { addAccount(); });
    QAction *accountSettingsAct = make(QString(), tr("Account Settings…"), QKeySequence(), [this] {
        if (currentAccountId() > 0) editAccount(currentAccountId());
    });
    QAction *accountUpAct = make(QString(), tr("Move Account Up"), QKeySequence(), [this] { moveAccount(currentAccountId(), -1); });
    QAction *accountDownAct = make(QString(), tr("Move Account Down"), QKeySequence(), [this] { moveAccount(currentAccountId(), +1); });
    QAction *removeAccountAct = make(QString(), tr("Remove Account…"), QKeySequence(), [this] { removeAccount(currentAccountId()); });
    QAction *newFolderAct = make(QStringLiteral(":/icons/folder.svg"), tr("New Folder…"), QKeySequence(), [this] { newFolder(); });
    QAction *renameFolderAct = make(QString(), tr("Rename Folder…"), QKeySequence(), [this] { renameFolder(); });
    QAction *deleteFolderAct = make(QString(), tr("Delete Folder…"), QKeySequence(), [this] { deleteFolder(); });
    QAction *markFolderReadAct = make(QStringLiteral(":/icons/mark-read.svg"), tr("Mark Folder as Read"),
                                      QKeySequence(QStringLiteral("Shift+C")), [this] { markFolderRead(); });
    m_emptyTrashAction = make(QStringLiteral(":/icons/trash.svg"), tr("Empty Trash…"), QKeySequence(), [this] { emptyTrash(); });
    // This folder's offline policy, over its account's (IMAP folders only).
    auto *offlineMenu = new QMenu(tr("Keep for Offline Use"), this);
    offlineMenu->setObjectName(QStringLiteral("folderOfflineMenu"));
    m_folderOfflineAction = offlineMenu->menuAction();
    connect(offlineMenu, &QMenu::aboutToShow, this, [this, offlineMenu] { populateFolderOfflineMenu(offlineMenu); });

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(getMail);
    file->addAction(m_offlineAction);
    file->addSeparator();
    file->addAction(addAccountAct);
    file->addAction(accountSettingsAct);
    file->addAction(signatureAct);
    file->addAction(identitiesAct);
    QMenu *accountMenu = file->addMenu(tr("Accounts"));
    accountMenu->addAction(accountUpAct);
    accountMenu->addAction(accountDownAct);
    accountMenu->addSeparator();
    accountMenu->addAction(removeAccountAct);
    file->addSeparator();
    file->addAction(markFolderReadAct);
    file->addAction(m_emptyTrashAction);
    file->addAction(newFolderAct);
    file->addAction(renameFolderAct);
    file->addAction(deleteFolderAct);
    file->addSeparator();
    file->addAction(settingsAct);
    file->addSeparator();
    file->addAction(quit);
    QMenu *message = menuBar()->addMenu(tr("&Message"));
    message->addAction(newMessage);
    message->addAction(reply);
    message->addAction(replyAll);
    message->addAction(forward);
    message->addAction(forwardAttached);
    message->addSeparator();
    message->addAction(markRead);
    message->addAction(markUnread);
    message->addAction(flag);
    message->addSeparator();
    QMenu *moveMenu = message->addMenu(tr("Move To"));
    QMenu *copyMenu = message->addMenu(tr("Copy To"));
    connect(moveMenu, &QMenu::aboutToShow, this, [this, moveMenu] { populateMoveMenu(moveMenu, false); });
    connect(copyMenu, &QMenu::aboutToShow, this, [this, copyMenu] { populateMoveMenu(copyMenu, true); });
    message->addAction(nextUnread);
    message->addAction(conversation);
    message->addSeparator();
    message->addAction(archive);
    message->addAction(junk);
    message->addAction(m_notJunkAction);
    message->addAction(del);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(filter);
    m_threadsAction = make(QString(), tr("Threads"), QKeySequence(), [this](bool on) {
        m_messages->setThreaded(on);
        m_settings->setValue(QStringLiteral("view/threads"), on);
    });
    m_threadsAction->setObjectName(QStringLiteral("threadsAction"));
    m_threadsAction->setCheckable(true);
    m_threadsAction->setToolTip(tr("Group the messages of each conversation (Left and Right close and open one)"));
    view->addAction(m_threadsAction);
    view->addSeparator();
    view->addAction(make(QString(), tr("Message Source"), QKeySequence(QStringLiteral("Ctrl+U")), [this] { showSource(); }));
    view->addAction(make(QString(), tr("Queued Changes…"), QKeySequence(), [this] { showQueuedChanges(); }));
    message->addSeparator();
    message->addAction(make(QString(), tr("Save As…"), QKeySequence(QKeySequence::SaveAs), [this] { saveMessageAs(); }));

    // Move to a folder chosen from a list: Ctrl+Shift+M.
    auto *moveShortcut = new QShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+M")), this);
    connect(moveShortcut, &QShortcut::activated, this, [this] {
        QMenu menu;
        populateMoveMenu(&menu, false);
        menu.exec(m_listView->viewport()->mapToGlobal(QPoint(40, 40)));
    });

    QToolBar *tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolbar"));
    tb->setMovable(false);
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->setIconSize(QSize(20, 20));
    tb->addAction(getMail);
    tb->addAction(newMessage);
    tb->addSeparator();
    tb->addAction(reply);
    tb->addAction(replyAll);
    tb->addAction(forward);
    tb->addSeparator();
    tb->addAction(markRead);
    tb->addAction(markUnread);
    tb->addAction(flag);
    tb->addAction(archive);
    tb->addAction(junk);
    tb->addAction(del);

    m_folderView->addAction(markFolderReadAct);
    m_folderView->addAction(m_emptyTrashAction);
    m_folderView->addAction(newFolderAct);
    m_folderView->addAction(renameFolderAct);
    m_folderView->addAction(deleteFolderAct);
    m_folderView->addAction(m_folderOfflineAction);
    m_deleteSearchAction = make(QString(), tr("Delete Saved Search"), QKeySequence(), [this] {
        const QModelIndex i = m_folderView->currentIndex();
        const qint64 id = i.data(SavedSearchIdRole).toLongLong();
        if (!id) return;
        try {
            m_store->removeSavedSearch(id);
        } catch (...) {
            m_statusLabel->setText(tr("The saved search could not be deleted: %1").arg(util::describeCurrentException().message));
            return;
        }
        m_statusLabel->setText(tr("Saved search \"%1\" deleted").arg(i.data(Qt::UserRole + 100).toString()));
        m_folders->reload();
        m_folderView->expandAll();
        m_folderView->setCurrentIndex(m_folders->firstInbox());
    });
    m_folderView->addAction(m_deleteSearchAction);
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_folderView->addAction(separator);
    m_folderView->addAction(accountSettingsAct);
    m_folderView->addAction(accountUpAct);
    m_folderView->addAction(accountDownAct);

    connect(m_listView, &QWidget::customContextMenuRequested, this, [=](const QPoint &pos) {
        QMenu menu;
        menu.addAction(reply);
        menu.addAction(replyAll);
        menu.addAction(forward);
        menu.addSeparator();
        menu.addAction(conversation);
        menu.addSeparator();
        menu.addAction(markRead);
        menu.addAction(markUnread);
        menu.addAction(flag);
        menu.addSeparator();
        QMenu *mv = menu.addMenu(tr("Move To"));
        populateMoveMenu(mv, false);
        QMenu *cp = menu.addMenu(tr("Copy To"));
        populateMoveMenu(cp, true);
        menu.addAction(archive);
        menu.addAction(m_notJunkAction->isEnabled() ? m_notJunkAction : junk);
        menu.addAction(del);
        menu.exec(m_listView->viewport()->mapToGlobal(pos));
    });
}

void MainWindow::restoreLayout()
{
    if (!restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 780);
    restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
    m_hsplit->restoreState(m_settings->value(QStringLiteral("window/hsplit")).toByteArray());
    m_vsplit->restoreState(m_settings->value(QStringLiteral("window/vsplit")).toByteArray());
    m_listView->header()->restoreState(m_settings->value(QStringLiteral("window/listHeader")).toByteArray());
    const bool threaded = m_settings->value(QStringLiteral("view/threads"), false).toBool();
    m_threadsAction->setChecked(threaded);
    m_messages->setThreaded(threaded);
}

void MainWindow::saveLayout()
{
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/hsplit"), m_hsplit->saveState());
    m_settings->setValue(QStringLiteral("window/vsplit"), m_vsplit->saveState());
    m_settings->setValue(QStringLiteral("window/listHeader"), m_listView->header()->saveState());
    m_settings->setValue(QStringLiteral("window/lastMailbox"), m_messages->mailbox());
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *e)
{
    saveLayout();
    e->accept();
}

void MainWindow::reloadFolders()
{
    // A saved search or an "All Mail" search stays on screen; the tree keeps
    // the row the user chose.
    const qint64 savedSearch = m_folderView->currentIndex().data(SavedSearchIdRole).toLongLong();
    const qint64 current = m_searchingAll ? m_folderView->currentIndex().data(MailboxIdRole).toLongLong() : m_messages->mailbox();
    QSet<qint64> expanded;
    for (int r = 0; r < m_folders->rowCount(); ++r)
        if (!m_folderView->isExpanded(m_folders->index(r, 0)))
            expanded.insert(-m_folders->index(r, 0).data(AccountIdRole).toLongLong());
    const QSignalBlocker block(m_folderView->selectionModel());
    m_folders->reload();
    m_folderView->expandAll();
    for (int r = 0; r < m_folders->rowCount(); ++r)
        if (expanded.contains(-m_folders->index(r, 0).data(AccountIdRole).toLongLong()))
            m_folderView->collapse(m_folders->index(r, 0));
    if (current == MessageListModel::kConversation) {
        updateWindowTitle(); // a conversation stays on screen until the user picks a folder
        return;
    }
    if (savedSearch) {
        const QModelIndex idx = m_folders->indexForSavedSearch(savedSearch);
        if (idx.isValid()) {
            m_folderView->setCurrentIndex(idx);
            m_messages->refresh();
            return;
        }
    }
    // Keep what the user chose; until they choose, prefer the folder of the last
    // session, then the first account's Inbox (accounts answer in any order).
    qint64 want = current && !m_autoSelected ? current : m_settings->value(QStringLiteral("window/lastMailbox")).toLongLong();
    QModelIndex idx = want ? m_folders->indexForMailbox(want) : QModelIndex();
    if (m_outboxAccount) {
        idx = m_folders->outboxFor(m_outboxAccount);
        if (idx.isValid()) {
            m_folderView->setCurrentIndex(idx);
            m_outboxPane->refresh();
            return;
        }
        m_outboxAccount = 0; // emptied: back to the folders
        m_rightStack->setCurrentWidget(m_vsplit);
        idx = m_folders->firstInbox();
    }
    if (!idx.isValid()) idx = m_folders->firstInbox();
    if (!idx.isValid() && current) idx = m_folders->indexForMailbox(current);
    if (idx.isValid()) {
        m_autoSelected = m_autoSelected || !current;
        m_folderView->setCurrentIndex(idx);
        m_reloadingFolders = true;
        if (idx.data(MailboxIdRole).toLongLong() != current) onFolderSelected();
        m_reloadingFolders = false;
    }
    for (int64_t inbox : m_folders->inboxIds())
        if (!m_inboxUnread.contains(inbox))
            if (auto mb = m_store->mailbox(inbox)) m_inboxUnread.insert(inbox, mb->unreadCount);
    updateWindowTitle();
}

bool MainWindow::selectMailbox(qint64 mailboxId)
{
    QModelIndex idx = m_folders->indexForMailbox(mailboxId);
    if (!idx.isValid()) return false;
    m_folderView->setCurrentIndex(idx);
    return true;
}

void MainWindow::onFolderSelected()
{
    if (!m_reloadingFolders) m_autoSelected = false; // the user picked it
    QModelIndex idx = m_folderView->currentIndex();
    const qint64 mailbox = idx.data(MailboxIdRole).toLongLong();
    m_notJunkAction->setEnabled(idx.data(SpecialUseRole).toString() == QLatin1String("\\Junk"));
    m_emptyTrashAction->setEnabled(idx.data(SpecialUseRole).toString() == QLatin1String("\\Trash"));
    if (m_deleteSearchAction) m_deleteSearchAction->setVisible(idx.data(SpecialUseRole).toString() == QLatin1String("\\SavedSearch"));
    if (m_folderOfflineAction) m_folderOfflineAction->setVisible(idx.data(MailboxIdRole).toLongLong() > 0);
    if (idx.data(SpecialUseRole).toString() == QLatin1String("\\Outbox")) {
        m_outboxAccount = idx.data(AccountIdRole).toLongLong();
        m_messages->setMailbox(0);
        m_outboxPane->setAccount(m_outboxAccount);
        m_rightStack->setCurrentWidget(m_outboxPane);
        setWindowTitle(tr("Outbox - Heron"));
        return;
    }
    m_outboxAccount = 0;
    m_rightStack->setCurrentWidget(m_vsplit);
    if (mailbox == m_messages->mailbox() && !m_searchingAll) return;
    if (m_searchingAll) {
        // Another folder chosen: the filter is for it now.
        m_searchingAll = false;
        const QSignalBlocker block(m_searchScope);
        m_searchScope->setCurrentIndex(0);
    }
    if (idx.data(SpecialUseRole).toString() == QLatin1String("\\SavedSearch")) {
        m_markReadTimer->stop();
        m_view->clear();
        m_searchingAll = false;
        m_messages->showSearch(allMailboxIds(), idx.data(SavedQueryRole).toString());
        updateFolderColumn();
        setWindowTitle(tr("%1 - Heron").arg(idx.data(Qt::UserRole + 100).toString()));
        return;
    }
    if (idx.data(SpecialUseRole).toString() == QLatin1String("\\AllInboxes")) {
        m_markReadTimer->stop();
        m_view->clear();
        m_messages->setMailboxes(m_folders->inboxIds());
        setWindowTitle(tr("All Inboxes - Heron"));
        return;
    }
    m_markReadTimer->stop();
    m_view->clear();
    m_messages->setMailbox(mailbox);
    setWindowTitle(mailbox ? QStringLiteral("%1 - Heron").arg(idx.data(Qt::UserRole + 100).toString()) : QStringLiteral("Heron"));
    if (mailbox > 0 && m_manager->state(currentAccountId()) == AccountManager::State::Online)
        m_manager->syncFolder(currentAccountId(), idx.data(RawMailboxNameRole).toString());
}

qint64 MainWindow::currentAccountId() const
{
    const qint64 account = m_folderView->currentIndex().data(AccountIdRole).toLongLong();
    if (account) return account;
    // "All Inboxes": the account of the message at hand.
    const qint64 message = m_view->currentMessageId() ? m_view->currentMessageId()
                                                       : m_messages->messageId(m_listView->currentIndex().row());
    if (auto m = message ? m_store->message(message) : std::nullopt)
        if (auto mb = m_store->mailbox(m->mailboxId)) return mb->accountId;
    return 0;
}

std::vector<int64_t> MainWindow::selectedMessageIds() const
{
    // A collapsed conversation stands for all its messages in this list
    // (marking it read, moving or deleting it acts on the whole of it).
    std::vector<int64_t> ids;
    std::set<int64_t> seen;
    const QModelIndexList rows = m_listView->selectionModel()->selectedRows();
    for (const QModelIndex &i : rows)
        for (int64_t id : m_messages->idsForRow(i.row(), rows.size() == 1))
            if (seen.insert(id).second) ids.push_back(id);
    return ids;
}

void MainWindow::onMessageSelected()
{
    m_markReadTimer->stop();
    const QModelIndexList rows = m_listView->selectionModel()->selectedRows();
    if (rows.size() != 1) {
        if (rows.isEmpty()) m_view->clear();
        return;
    }
    if (const qint64 id = m_messages->messageId(rows.front().row())) showBody(id);
}

void MainWindow::showBody(qint64 id)
{
    m_messages->setSticky(id); // stays listed under "Unread" once read
    auto m = m_store->message(id);
    if (!m) return;
    if (auto raw = m_store->body(id)) {
        m_waitingBody = 0;
        auto mb = m_store->mailbox(m->mailboxId);
        m_view->showMessage(*m, *raw, mb && (mb->specialUse == QLatin1String("\\Junk") || (m->flags & Flag::Junk)));
        if (!(m->flags & Flag::Seen) && m_markReadDelayMs >= 0) m_markReadTimer->start();
        return;
    }
    m_waitingBody = id;
    m_view->showLoading(*m);
    auto mb = m_store->mailbox(m->mailboxId);
    if (mb) m_manager->fetchBody(mb->accountId, id);
}

void MainWindow::afterLocalChange(qint64 accountId)
{
    // Read or deleted here: not "new" when the next sync reports the Inbox.
    for (int64_t inbox : m_folders->inboxIds())
        if (auto mb = m_store->mailbox(inbox)) m_inboxUnread.insert(inbox, mb->unreadCount);
    updateWindowTitle();
    if (accountId) {
        m_manager->replay(accountId);
        return;
    }
    for (const AccountConfig &a : m_store->accounts()) m_manager->replay(a.id); // unified list: any of them
}

ComposerWindow *MainWindow::openComposer(int kind)
{
    compose::OutgoingMessage start;
    qint64 account = currentAccountId();
    std::optional<Identity> receiver;
    if (kind >= 0) {
        const qint64 id = m_view->currentMessageId();
        auto original = id ? m_store->message(id) : std::nullopt;
        if (!original) {
            m_statusLabel->setText(tr("Select a message first."));
            return nullptr;
        }
        if (!m_view->isReady()) {
            m_statusLabel->setText(tr("The message is still opening; try again in a moment."));
            return nullptr;
        }
        // The user's identities, this account's first: left out of reply-all,
        // and the one that received the message answers it.
        std::vector<Identity> own, others;
        for (const AccountConfig &a : m_store->accounts()) {
            auto &ids = a.id == account ? own : others;
            ids.push_back(defaultIdentity(a));
            for (const Identity &i : m_store->identities(a.id)) ids.push_back(i);
        }
        own.insert(own.end(), others.begin(), others.end());
        QStringList addresses;
        for (const Identity &i : own) addresses << i.email;
        start = compose::startReply(compose::ReplyKind(kind), *original, m_view->content(), addresses,
                                    m_store->body(id).value_or(QByteArray()));
        const int from = compose::receivingIdentity(own, *original, m_view->content());
        if (from >= 0) receiver = own[size_t(from)];
    }
    auto *composer = new ComposerWindow(m_store.get(), account, start, this);
    composer->setObjectName(QStringLiteral("composer"));
    if (receiver) composer->selectIdentity(receiver->accountId, receiver->email);
    composer->setRichText(m_settings->value(QStringLiteral("compose/richText"), false).toBool(), false);
    composer->setSignatures(signatures());
    return showComposer(composer);
}

QHash<qint64, QString> MainWindow::signatures() const
{
    QHash<qint64, QString> out;
    for (const AccountConfig &a : m_store->accounts())
        out.insert(a.id, m_settings->value(QStringLiteral("signatures/%1").arg(a.id)).toString());
    return out;
}

void MainWindow::editSignature()
{
    const qint64 account = currentAccountId();
    auto acc = m_store->account(account);
    if (!acc) return;
    bool ok = false;
    const QString key = QStringLiteral("signatures/%1").arg(account);
    const QString text = QInputDialog::getMultiLineText(this, tr("Signature"), tr("Signature for %1:").arg(acc->name),
                                                        m_settings->value(key).toString(), &ok);
    if (!ok) return;
    m_settings->setValue(key, text);
    m_settings->sync();
}

ComposerWindow *MainWindow::openDraft(qint64 messageId)
{
    auto record = m_store->message(messageId);
    auto raw = m_store->body(messageId);
    if (!record || !raw) {
        m_statusLabel->setText(tr("The draft is still downloading; try again in a moment."));
        return nullptr;
    }
    auto mailbox = m_store->mailbox(record->mailboxId);
    const mime::MessageContent c = mime::parseMessage(*raw);
    auto entries = [](const QString &field) {
        QStringList out;
        for (const QString &e : compose::splitAddressField(field)) {
            QString name, addr;
            mime::splitAddress(e, &name, &addr);
            out << (name.isEmpty() ? addr : QStringLiteral("%1 <%2>").arg(name, addr));
        }
        return out;
    };
    compose::OutgoingMessage start;
    start.to = entries(c.to);
    start.cc = entries(c.cc);
    start.bcc = entries(c.bcc);
    start.subject = c.subject;
    start.body = mime::unflow(c.plainText);
    if (start.body.endsWith(QLatin1Char('\n'))) start.body.chop(1); // the line end buildMessage adds
    start.html = c.html; // written in rich text: continues in rich text
    start.inReplyTo = record->inReplyTo;
    start.references = record->references;
    for (const mime::Attachment &a : c.attachments) start.attachments.push_back({a.fileName, a.mimeType, a.data});
    const qint64 account = mailbox ? mailbox->accountId : currentAccountId();
    auto *composer = new ComposerWindow(m_store.get(), account, start, this);
    // Saving or sending it replaces the draft on the server, by its UID in
    // Drafts: only a message that is in Drafts is one (the UID of a message
    // elsewhere would name an unrelated draft).
    const auto drafts = mailbox ? m_store->mailboxByRole(mailbox->accountId, QStringLiteral("\\Drafts")) : std::nullopt;
    if (drafts && drafts->id == record->mailboxId) composer->setDraftSource(record->uid);
    QString fromName, fromAddress;
    mime::splitAddress(c.from, &fromName, &fromAddress);
    composer->selectIdentity(account, fromAddress);
    composer->setSignatures(signatures(), false); // the draft has its own: swapped only with the identity
    return showComposer(composer);
}

// Every composer: drafts go to the server, sent messages wake the account worker.
ComposerWindow *MainWindow::showComposer(ComposerWindow *composer)
{
    connect(composer, &ComposerWindow::draftSaved, this, [this](qint64 accountId) { m_manager->uploadDrafts(accountId); });
    connect(composer, &ComposerWindow::queued, this, [this](qint64 accountId, qint64) {
        m_statusLabel->setText(tr("Message stored in the outbox; sending…"));
        reloadFolders();
        m_manager->syncAccount(accountId);
    });
    composer->show();
    return composer;
}

// New unread mail in an Inbox after the account's first sync: a desktop
// notification (when there is a system tray) and the count in the title.
void MainWindow::noticeNewMail(qint64 mailboxId)
{
    auto mb = m_store->mailbox(mailboxId);
    if (!mb || mb->specialUse != QLatin1String("\\Inbox")) return;
    const int before = m_inboxUnread.value(mailboxId, -1);
    m_inboxUnread.insert(mailboxId, mb->unreadCount);
    updateWindowTitle();
    if (before < 0 || mb->unreadCount <= before) return;
    if (m_manager->state(mb->accountId) != AccountManager::State::Online) return; // still the first download
    const int fresh = mb->unreadCount - before;
    auto acc = m_store->account(mb->accountId);
    const auto newest = m_store->messages(mailboxId, 1);
    const QString name = acc ? acc->name : QString();
    QString text = fresh == 1 ? tr("1 new message for %1").arg(name) : tr("%1 new messages for %2").arg(fresh).arg(name);
    if (!newest.empty() && !(newest[0].flags & Flag::Seen))
        text += QStringLiteral("\n%1: %2").arg(mime::senderLabel(newest[0].fromName, newest[0].fromAddr), newest[0].subject);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/heron.svg")), this);
            connect(m_tray, &QSystemTrayIcon::activated, this, [this] { showNormal(); raise(); activateWindow(); });
            m_tray->show();
        }
        m_tray->showMessage(tr("New mail"), notificationText(text), QIcon(QStringLiteral(":/icons/inbox.svg")), 8000);
    }
    Q_EMIT newMailNotified(mb->accountId, fresh, text);
}

void MainWindow::updateWindowTitle()
{
    int unread = 0;
    for (int v : std::as_const(m_inboxUnread)) unread += std::max(0, v);
    setWindowTitle(unread > 0 ? tr("Heron (%1 unread)").arg(unread) : QStringLiteral("Heron"));
    if (m_tray) m_tray->setToolTip(windowTitle());
}

SettingsDialog *MainWindow::editSettings()
{
    auto *dlg = new SettingsDialog(m_settings, this);
    dlg->setObjectName(QStringLiteral("settingsDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, &MainWindow::applySettings);
    dlg->open();
    return dlg;
}

void MainWindow::applySettings()
{
    m_markReadDelayMs = m_settings->value(QStringLiteral("general/markReadDelayMs"), 1500).toInt();
    m_markReadTimer->setInterval(std::max(0, m_markReadDelayMs));
    if (m_markReadDelayMs < 0) m_markReadTimer->stop();
    m_view->setRemotePolicy(remoteContentPolicy(*m_settings), [this](const QString &address) {
        const QStringList allowed = m_settings->value(QStringLiteral("privacy/allowedSenders")).toStringList();
        for (const QString &a : allowed)
            if (a.compare(address, Qt::CaseInsensitive) == 0) return true;
        return m_store->hasWrittenTo(address);
    });
}

void MiddleElideDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->textElideMode = Qt::ElideMiddle;
}

// Account dialogs live in AccountActions; these keep the window's API.
AccountWizard *MainWindow::addAccount() { return m_accountActions->addAccount(); }
AccountDialog *MainWindow::addAccountManually(const AccountConfig &partial, const QString &password)
{
    return m_accountActions->addAccountManually(partial, password);
}
AccountDialog *MainWindow::editAccount(qint64 accountId) { return m_accountActions->editAccount(accountId); }
IdentitiesDialog *MainWindow::editIdentities(qint64 accountId) { return m_accountActions->editIdentities(accountId); }
void MainWindow::moveAccount(qint64 accountId, int delta) { m_accountActions->moveAccount(accountId, delta); }
void MainWindow::removeAccount(qint64 accountId) { m_accountActions->removeAccount(accountId); }

void MainWindow::updateFailedChanges()
{
    int failed = 0;
    try {
        failed = m_store->failedOpCount();
    } catch (...) {
        return; // the count waits for the next change (a busy or failing database is reported elsewhere)
    }
    m_failedChanges->setText(failed == 1 ? tr("1 change not applied") : tr("%1 changes not applied").arg(failed));
    m_failedChanges->setToolTip(tr("A server refused some of your changes. Click to see them, retry or discard."));
    m_failedChanges->setVisible(failed > 0);
    if (auto *open = findChild<QueuedChangesDialog *>()) open->refresh();
}

void MainWindow::showQueuedChanges()
{
    if (auto *open = findChild<QueuedChangesDialog *>()) {
        open->refresh();
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dlg = new QueuedChangesDialog(m_store.get(), this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QueuedChangesDialog::changed, this, [this](qint64 accountId, bool replayNow) {
        updateFailedChanges();
        if (replayNow) m_manager->replay(accountId);
        else m_manager->syncAccount(accountId); // show the server's state again
    });
    connect(dlg, &QDialog::finished, this, &MainWindow::updateFailedChanges);
    dlg->show();
}

} // namespace heron::ui
