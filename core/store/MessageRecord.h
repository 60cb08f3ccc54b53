#pragma once
#include <QString>
#include <cstdint>

namespace heron {

// Stored flag bits (IMAP system flags plus the common keywords).
namespace Flag {
enum : int {
    Seen = 1,
    Answered = 2,
    Flagged = 4,
    Deleted = 8,
    Draft = 16,
    Forwarded = 32,
    Junk = 64,
};
}

// Envelope data of one message as kept in the cache.
struct MessageRecord {
    int64_t id = 0;
    int64_t mailboxId = 0;
    uint32_t uidvalidity = 0;
    uint32_t uid = 0;
    int64_t date = 0; // seconds since the epoch, UTC
    QString fromName;
    QString fromAddr;
    QString to;       // decoded, comma separated "Name <addr>"
    QString cc;
    QString subject;
    QString messageId;
    QString inReplyTo;
    QString references;
    int64_t size = 0;
    int flags = 0;
    bool hasAttachment = false;
};

struct MailboxRecord {
    int64_t id = 0;
    int64_t accountId = 0;
    QString name;       // full server name
    QString delimiter;
    QString specialUse; // "\\Sent", "\\Trash", ... or "" ; INBOX gets "\\Inbox"
    bool selectable = true;
    uint32_t uidvalidity = 0;
    uint32_t uidnext = 0;
    uint64_t highestModSeq = 0;
    int totalCount = 0;
    int unreadCount = 0;
    QString syncError; // why the last sync of this folder failed, or ""
    uint32_t serverExists = 0; // EXISTS at the end of the last complete sync
};

} // namespace heron
