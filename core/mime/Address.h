#pragma once
// Who a message is from, as the user can trust it. One parser for every path
// (IMAP ENVELOPE parts, raw headers from POP3 and local copies, the viewer,
// heron-cli): the address structure is found first, on the raw bytes
// (quoted strings, comments, angle addresses, groups); RFC 2047 encoded words
// are decoded afterwards, only in display names, never in the address itself.
// So an encoded "<boss@corp.example>" stays text, and what is shown as the
// address is what the server would reply to.
//
// Display rules (senderLabel, fullLabel): a display name alone is shown only
// when it cannot be mistaken for something else; otherwise the real address
// is shown beside it. A name is not trusted alone when it contains anything
// address-like ('@', a domain name, '<' '>'), characters that were removed
// (controls, bidi overrides: replaced by U+FFFD so they stay visible), or an
// encoded word that could not be decoded. A malformed address is shown as it
// is, marked "(invalid address)". Linear time, any thread.
#include <QByteArray>
#include <QList>
#include <QString>

namespace heron::mime {

struct Mailbox {
    QString name;    // decoded display name, empty when there is none
    QString address; // as written (local@domain); controls shown as U+FFFD
};

// An address-list header value (unfolded or not, still encoded).
QList<Mailbox> parseAddressList(const QByteArray &raw);

// The parts an IMAP ENVELOPE address gives: raw name, mailbox, host.
Mailbox mailboxFromParts(const QByteArray &rawName, const QByteArray &localPart, const QByteArray &domain);

// Decodes a display name: encoded words per token, raw 8-bit as UTF-8 or
// Windows-1252; controls and bidi controls become U+FFFD; an encoded word
// that cannot be decoded stays as written.
QString decodeDisplayName(const QByteArray &raw);

// A syntactically valid addr-spec: one '@', a non-empty local part without
// spaces or controls, a domain of labels (or an [address literal]).
bool isValidAddress(const QString &address);

// The name cannot be shown without the address beside it (see above).
bool nameNeedsAddress(const QString &name, const QString &address);

// Where room is short (the message list, notifications): the name, or
// "name <address>" when the name alone could mislead, or the address.
QString senderLabel(const QString &name, const QString &address);
// Always "name <address>" (or the address), marked when malformed: the
// header pane, To and Cc, heron-cli show.
QString fullLabel(const QString &name, const QString &address);
// "a, b, c", names quoted where needed so the text can be split again (what
// MessageRecord::to and cc hold).
QString formatMailboxList(const QList<Mailbox> &list);
// Such a stored list for display: fullLabel for each.
QString displayMailboxList(const QString &stored);

} // namespace heron::mime
