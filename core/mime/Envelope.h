#pragma once
// Envelope data read from a raw message's header (for messages that did not
// come with an IMAP ENVELOPE: POP3 downloads, local copies).
#include "store/MessageRecord.h"

#include <QByteArray>
#include <QList>
#include <QPair>

namespace heron::mime {

// Fills date, from, to, cc, subject, message-id, in-reply-to, references, size
// and has-attachment. Only the header block is read.
MessageRecord envelopeFromRaw(const QByteArray &raw);

// The header block's fields, unfolded, names in lower case, values as
// received (at most the first 256 KB of the block are read).
QList<QPair<QByteArray, QByteArray>> headerFields(const QByteArray &raw);

// Splits "Name <addr>" (decoded) into its parts; a bare address gives an empty name.
void splitAddress(const QString &decoded, QString *name, QString *addr);

} // namespace heron::mime
