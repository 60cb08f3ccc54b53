#pragma once
// The classic three-pane window: folder tree (all accounts), message list with
// a quick filter, message view; status bar with connection/sync state.
// Thread: GUI. Every network request goes through AccountManager (queued).
#include "account/AccountConfig.h"
#include "account/Profile.h"

#include <QMainWindow>
#include <QStyledItemDelegate>
#include <QPointer>

#include <memory>

class QLabel;
class QLineEdit;
class QProgressBar;
class QSplitter;
class QStackedWidget;
class QTimer;
class QTreeView;
class QAction;
class QMenu;
class QComboBox;
class QDialog;
class QToolButton;
class QSettings;
class QSystemTrayIcon;

namespace heron { class SecretStore; }
namespace heron::store { class MailStore; }
namespace heron::sync { class AccountManager; }

namespace heron::ui {

class AccountActions;
class AccountDialog;
class AccountWizard;
class ComposerWindow;
class FolderModel;
class FolderTreeView;
class IdentitiesDialog;
class MessageListModel;
class MessageView;
class OutboxPane;
class SettingsDialog;

class MiddleElideDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(Profile profile, bool startOffline, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests and the demo.
    FolderTreeView *folderView() const { return m_folderView; }
    QTreeView *messageListView() const { return m_listView; }
    MessageListModel *messageModel() const { return m_messages; }
    FolderModel *folderModel() const { return m_folders; }
    MessageView *messageView() const { return m_view; }
    OutboxPane *outboxPane() const { return m_outboxPane; }
    QLineEdit *filterEdit() const { return m_filter; }
    // The folder's "Keep for Offline Use" choices (the account's, all,
    // the last N days, headers only), the current one checked.
    void populateFolderOfflineMenu(QMenu *menu);
    void setFolderOffline(qint64 mailboxId, int days);
    void populateFolderOfflineMenuOrThrow(QMenu *menu);
    // The quick filter with its scope (this folder, or all mail) to the list.
    void applyFilter();
    // Asks for a name and keeps the filter as a saved search (a virtual folder).
    bool saveCurrentSearch(const QString &name = QString());
    QComboBox *searchScopeBox() const { return m_searchScope; }
    std::vector<int64_t> allMailboxIds() const;
    void updateFolderColumn();
    QString statusText() const;
    sync::AccountManager *accounts() const { return m_manager.get(); }
    bool selectMailbox(qint64 mailboxId);
    // kind: -1 new message, else a compose::ReplyKind for the message shown.
    ComposerWindow *openComposer(int kind);
    // Continues a draft from a Drafts folder.
    ComposerWindow *openDraft(qint64 messageId);
    // The setup wizard (finds the settings, checks the login).
    AccountWizard *addAccount();
    // The full form, optionally pre-filled (from the wizard's "Set Up Manually…").
    AccountDialog *addAccountManually(const AccountConfig &partial = {}, const QString &password = {});
    // Edit the settings of an existing account (File → Account Settings…).
    AccountDialog *editAccount(qint64 accountId);
    void moveAccount(qint64 accountId, int delta);
    // Shift+O: the current message's conversation from all folders of its account.
    bool showConversation();
    // View → Message Source (Ctrl+U) and Message → Save As… (.eml, bytes as received).
    QDialog *showSource();
    bool saveMessageAs(const QString &path = QString());
    // File → Settings…: general preferences (applied when accepted).
    SettingsDialog *editSettings();
    void removeAccount(qint64 accountId);
    QHash<qint64, QString> signatures() const;
    ComposerWindow *showComposer(ComposerWindow *composer);
    void editSignature();
    // File → Identities…: the identities of an account.
    IdentitiesDialog *editIdentities(qint64 accountId);

Q_SIGNALS:
    // New unread mail arrived in an account's Inbox (after its first sync).
    void newMailNotified(qint64 accountId, int count, const QString &text);
    // The message text search for the current filter has answered.
    void textSearchFinished();

protected:
    void closeEvent(QCloseEvent *e) override;

private:
    void buildActions();
    void restoreLayout();
    void saveLayout();
    void onFolderSelected();
    void onMessageSelected();
    void showBody(qint64 messageId);
    std::vector<int64_t> selectedMessageIds() const;
    qint64 currentAccountId() const;
    void setFlagsOnSelection(int flag, bool add);
    void toggleFlagOnSelection(int flag);
    void deleteSelection();
    void moveSelectionTo(qint64 mailboxId, bool copy);
    void markFolderRead();
    bool selectNextUnread();
    void emptyTrash();
    // Archive, Junk, Not Junk: to the account's folder for that role (created if missing).
    void moveSelectionToRole(const QString &role, const QString &defaultName);
    void transfer(const std::vector<int64_t> &ids, qint64 mailboxId, bool copy);
    void afterLocalChange(qint64 accountId);
    void populateMoveMenu(QMenu *menu, bool copy);
    void newFolder();
    void renameFolder();
    void deleteFolder();
    void reloadFolders();
    void applySettings();
    void noticeNewMail(qint64 mailboxId);
    void updateWindowTitle();
    // The status bar's "N changes not applied" button, from the store.
    void updateFailedChanges();
    void showQueuedChanges();

    Profile m_profile;
    std::shared_ptr<SecretStore> m_secrets; // shared with the account threads (a keyring query may outlive the window)
    std::unique_ptr<store::MailStore> m_store;
    std::unique_ptr<sync::AccountManager> m_manager;
    QSettings *m_settings;
    FolderModel *m_folders;
    MessageListModel *m_messages;
    FolderTreeView *m_folderView;
    QTreeView *m_listView;
    QLineEdit *m_filter;
    MessageView *m_view;
    QSplitter *m_hsplit;
    QStackedWidget *m_rightStack;
    OutboxPane *m_outboxPane;
    qint64 m_outboxAccount = 0; // the Outbox shown, if any
    QSplitter *m_vsplit;
    QLabel *m_statusLabel;
    QLabel *m_networkIcon;
    QToolButton *m_failedChanges;
    QProgressBar *m_progress;
    QTimer *m_markReadTimer;
    QTimer *m_refreshTimer;
    QTimer *m_textSearchTimer;
    int m_searchPending = 0;
    QAction *m_offlineAction = nullptr;
    QAction *m_notJunkAction = nullptr;
    QAction *m_threadsAction = nullptr;
    QAction *m_emptyTrashAction = nullptr;
    QAction *m_folderOfflineAction = nullptr;
    QAction *m_deleteSearchAction = nullptr;
    QComboBox *m_searchScope = nullptr;
    QToolButton *m_saveSearch = nullptr;
    bool m_searchingAll = false; // the list shows "All Mail" hits of the filter
    QToolButton *m_unreadOnly = nullptr;
    QToolButton *m_flaggedOnly = nullptr;
    AccountActions *m_accountActions;
    qint64 m_waitingBody = 0;
    bool m_autoSelected = false;    // the current folder was chosen by us, not the user
    bool m_reloadingFolders = false;
    int m_markReadDelayMs = 1500; // -1: never
    QHash<qint64, int> m_inboxUnread; // last unread count seen per Inbox
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace heron::ui
