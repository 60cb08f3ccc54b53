#pragma once
// A received message taken apart for display: text bodies decoded to Unicode,
// attachments and inline (cid:) parts with their decoded bytes. Input is
// bounded before vmime sees it (vmime crashes on very deep nesting).
#include "mime/HtmlSanitizer.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace heron::mime {

struct Attachment {
    QString fileName;   // sanitized, never empty (a name is made up if needed)
    QString mimeType;
    QString contentId;  // without <>; non-empty for inline parts
    bool isInline = false;
    QByteArray data;    // transfer-decoded bytes
};

struct MessageContent {
    QString subject;
    QString from;
    QString to;
    QString cc;
    QString bcc; // only ever present in drafts
    QString replyTo;
    QStringList deliveredTo; // every Delivered-To field (the mailbox the server put it in)
    QString date;
    QString plainText;
    QString html;
    std::vector<Attachment> attachments; // files the user can save
    std::vector<Attachment> inlineParts; // referenced by cid: from the HTML
    QString problem;                     // non-empty when the message could not be parsed fully

    const Attachment *findContentId(const QString &cid) const;
};

// Linear in the size of raw and bounded by construction: the MIME tree is
// walked without recursion, to at most 20 levels and 1000 parts; a message
// beyond the limits is shown as far as it goes, with problem set.
MessageContent parseMessage(const QByteArray &raw);

// What the viewer shows of a message, all of it made on a worker thread: the
// parsed content, and the body as sanitised HTML (HTML part) or as linkified
// plain text, with the remote references and links found in it.
struct DisplayMessage {
    MessageContent content;
    QString html;
    QStringList remoteUrls;
    QList<HtmlLink> links;
};
DisplayMessage prepareForDisplay(const QByteArray &raw);

// Undoes format=flowed (RFC 3676): soft line breaks joined, space-stuffing removed.
QString unflow(const QString &text);

} // namespace heron::mime
