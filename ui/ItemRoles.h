#pragma once
// The item data roles shared by Heron's models, views, delegates and tests.
#include <Qt>

namespace heron::ui {

enum ItemRole {
    AccountIdRole = Qt::UserRole + 1, // qint64, folder tree (accounts and folders)
    MailboxIdRole,                    // qint64, folder tree (0 for account rows)
    RawMailboxNameRole,               // QString, folder tree: server name (modified UTF-7)
    SpecialUseRole,                   // QString, folder tree: "\\Inbox", "\\Sent", ...
    UnreadCountRole,                  // int, folder tree
    MessageIdRole,                    // qint64, message list
    FlagsRole,                        // int (heron::Flag bits), message list
    IsUnreadRole,                     // bool, message list
    FolderErrorRole,                  // QString, folder tree: why the folder's last sync failed, or ""
    SavedQueryRole,                   // QString, folder tree: a saved search's query
    SavedSearchIdRole,                // qint64, folder tree: a saved search's id
    ThreadStateRole,                  // int (MessageListModel::ThreadState), message list
    ThreadDepthRole,                  // int, message list: 0 for a conversation's head
    ThreadSizeRole,                   // int, message list: messages in the row's conversation
    ThreadUnreadRole,                 // int, message list: unread ones among them
};

} // namespace heron::ui
