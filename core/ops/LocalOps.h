#pragma once
// The user's changes: applied to the cache at once and queued durably, in one
// transaction, for replay to the server in order (sync::ImapSync::replayPending).
#include "store/MailStore.h"

namespace heron::ops {

// Adds or removes flag bits on messages (any mix of mailboxes of one account).
void setFlags(store::MailStore &store, const std::vector<int64_t> &messageIds, int flags, bool add);
// Moves messages to another mailbox of the same account. They leave the source at once;
// they appear in the destination when it is next synced.
void moveMessages(store::MailStore &store, const std::vector<int64_t> &messageIds, int64_t destMailboxId);
void copyMessages(store::MailStore &store, const std::vector<int64_t> &messageIds, int64_t destMailboxId);
// "Delete": to Trash, or, for messages already in Trash (or when there is no Trash),
// removal from the server (the caller confirms that with the user first).
enum class DeleteResult { MovedToTrash, Expunged };
DeleteResult deleteMessages(store::MailStore &store, const std::vector<int64_t> &messageIds);
// True when deleting these messages is permanent (so the UI must confirm).
bool deleteIsPermanent(store::MailStore &store, const std::vector<int64_t> &messageIds);

// Moves messages to their account's folder for a role ("\\Archive", "\\Junk",
// "\\Inbox"), creating it as defaultName (and remembering it for the role) when
// the account has none. Messages already there stay. Returns how many moved.
int moveToRole(store::MailStore &store, const std::vector<int64_t> &messageIds, const QString &role,
               const QString &defaultName);

void createFolder(store::MailStore &store, int64_t accountId, const QString &rawName);
void renameFolder(store::MailStore &store, int64_t mailboxId, const QString &newRawName);
void deleteFolder(store::MailStore &store, int64_t mailboxId);

} // namespace heron::ops
