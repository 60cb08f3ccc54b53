#pragma once
// Builds an RFC 5322 message to send (through vmime::messageBuilder):
// Message-ID, Date, MIME-Version; RFC 2047 names and subject, RFC 2231
// attachment names; UTF-8 plain text sent as format=flowed (RFC 3676).
// With html set: multipart/alternative (RFC 2046 5.1.4), the plain text first
// (the faithful rendering the composer made of the same text, so readers
// without HTML miss nothing), then text/html; inside multipart/mixed when
// there are attachments.
// No field can smuggle a header or a recipient: CR, LF and NUL are removed
// from every value, and addresses are validated first.
#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace heron::compose {

struct OutgoingAttachment {
    QString fileName;
    QString mimeType; // empty: application/octet-stream
    QByteArray data;
};

struct OutgoingMessage {
    QString fromName;
    QString fromAddress;
    QStringList to;   // "Name <addr>" or "addr"
    QStringList cc;
    QStringList bcc;  // envelope only, never in the header
    QString replyTo;  // one address ("Name <addr>" or "addr"), or empty
    QString subject;
    QString body;     // plain text; with html, the plain rendering of it
    QString html;     // a complete HTML document (UTF-8); empty: plain text only
    QString inReplyTo;
    QString references;
    std::vector<OutgoingAttachment> attachments;
};

struct BuiltMessage {
    QByteArray raw;
    QString envelopeFrom;
    QStringList recipients; // bare addresses: to + cc + bcc
    QString messageId;
};

// Returns an empty string when the address is acceptable, else why not.
QString checkAddress(const QString &address);
// Splits a field the user typed ("a@x, B <b@y>; c@z") into addresses.
QStringList splitAddressField(const QString &field);
// Throws std::invalid_argument naming the bad address. A draft may have no
// recipient and addresses still being typed (kept as written).
BuiltMessage buildMessage(const OutgoingMessage &m, const QString &hostForMessageId, bool draft = false);
// Format=flowed encoding of plain text (RFC 3676): long lines soft-broken at
// spaces, space-stuffing for lines starting with space, ">" or "From ".
QString encodeFlowed(const QString &text, int width = 76);

} // namespace heron::compose
