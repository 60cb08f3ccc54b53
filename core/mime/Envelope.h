#pragma once
// Envelope data read from a raw message's header (for messages that did not
// come with an IMAP ENVELOPE: POP3 downloads, local copies).
#include "store/MessageRecord.h"

#include <QByteArray>

namespace heron::mime {

// Fills date, from, to, cc, subject, message-id, in-reply-to, references, size
// and has-attachment. Only the header block is read.
MessageRecord envelopeFromRaw(const QByteArray &raw);

// Splits "Name <addr>" (decoded) into its parts; a bare address gives an empty name.
void splitAddress(const QString &decoded, QString *name, QString *addr);

} // namespace heron::mime
