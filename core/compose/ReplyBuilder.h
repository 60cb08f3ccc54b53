#pragma once
// Starts a reply, reply-all or forward from a received message: subject
// prefix without stacking ("Re: Re:" never), attribution line and "> " quoting,
// In-Reply-To and References, reply-all without the user's own addresses,
// forwarded attachments kept.
#include "account/Identity.h"
#include "compose/MessageComposer.h"
#include "mime/MessageContent.h"
#include "store/MessageRecord.h"

namespace heron::compose {

enum class ReplyKind { Reply, ReplyAll, Forward, ForwardAsAttachment };

// ownAddresses: the user's addresses (left out of reply-all).
// raw: the original message, attached whole (message/rfc822) by ForwardAsAttachment.
OutgoingMessage startReply(ReplyKind kind, const MessageRecord &original, const mime::MessageContent &content,
                           const QStringList &ownAddresses, const QByteArray &raw = QByteArray());

// The identity to answer or forward from: the first of candidates (in order
// of preference) whose address received the original, looking at To, then
// Cc, then Delivered-To. -1 when none did (the caller takes the account's own).
int receivingIdentity(const std::vector<Identity> &candidates, const MessageRecord &original,
                      const mime::MessageContent &content);

// "Re: Re: x" and "RE: x" become "Re: x"; only prefixes of the same kind are
// collapsed ("Re: Fwd: x" stays as it is).
QString prefixedSubject(const QString &subject, const QString &prefix);
QString quote(const QString &text);

} // namespace heron::compose
