#pragma once
// Conversations: which messages belong together, and in what shape.
//
// Two halves, both GUI-free:
// - Membership lives in the store (schema 10): each message carries the
//   number of its conversation (messages.thread), shared by every folder of
//   its account, so that a reply filed in Sent joins the conversation shown
//   in the Inbox. assignPending() places new messages in batches after they
//   are stored (like the full-text index, it never slows a header sync
//   down): a message joins the conversation of any Message-ID it carries or
//   refers to (Message-ID, In-Reply-To, References); when it links two
//   conversations (a parent arriving after its replies), they become one.
//   This is the grouping JWZ's algorithm arrives at (its trees are the
//   connected components of the reference graph), kept up to date one batch
//   at a time instead of rebuilt for the whole folder, so that opening a
//   threaded 100,000-message folder is one query. Two differences: a merge
//   is never undone when the message that linked two conversations is
//   deleted, and copies with the same Message-ID share a conversation
//   (arrange() shows each copy).
// - Shape is computed when a conversation is opened (arrange()): JWZ's
//   algorithm (https://www.jwz.org/doc/threading.html) over the messages of
//   that one conversation, without the subject fallback. Loops, missing
//   parents, duplicate Message-IDs and References headers of any length are
//   handled; every member is placed exactly once.
//
// Thread: functions use the MailStore they are given, on its thread.
#include "store/MessageRecord.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace heron::store { class MailStore; }

namespace heron::threads {

// References beyond the nearest ones are ignored: a hostile header of
// 100,000 ids is read once (its size is bounded by the header sync), then
// costs in the store and in arrange() what a header of 100 does.
constexpr int kMaxReferences = 100;

// The Message-IDs in a Message-ID, In-Reply-To or References value, in order,
// without their angle brackets ("<a@b> <c@d>" -> a@b, c@d). Ids without
// brackets are accepted when the value has none (some mailers write them).
QStringList messageIds(const QString &header);

// The 63-bit key the store keeps for a Message-ID (FNV-1a of its UTF-8).
int64_t keyOf(const QString &messageId);

// Places up to max messages that are in no conversation yet, in one
// transaction; returns how many (0: all are placed, call again until then).
// Safe from several connections at once.
int assignPending(store::MailStore &store, int max);

// Every message of messageId's conversation, in all folders of its account
// (messageId included); empty while it is not placed yet.
std::vector<int64_t> conversationOf(store::MailStore &store, int64_t messageId);

struct Placed {
    int64_t id = 0;
    int depth = 0; // 0 for the conversation's first message
};

// The messages of one conversation in reading order: each reply below what
// it answers, siblings oldest first. The first one is the oldest root; other
// roots (replies to a message nobody has) follow at depth 1 and below, so
// that a conversation always has one head.
std::vector<Placed> arrange(const std::vector<MessageRecord> &members);

} // namespace heron::threads
