#include "mime/Envelope.h"

#include "mime/Address.h"
#include "mime/HeaderDecoding.h"

#include <QRegularExpression>

namespace heron::mime {

// Unfolded header fields of the header block (up to the first empty line).
QList<QPair<QByteArray, QByteArray>> headerFields(const QByteArray &raw)
{
    QList<QPair<QByteArray, QByteArray>> out;
    qsizetype end = raw.indexOf("\r\n\r\n");
    qsizetype end2 = raw.indexOf("\n\n");
    if (end < 0 || (end2 >= 0 && end2 < end)) end = end2;
    const QByteArray block = end < 0 ? raw.left(256 * 1024) : raw.left(std::min<qsizetype>(end, 256 * 1024));
    for (QByteArray line : block.split('\n')) {
        if (line.endsWith('\r')) line.chop(1);
        if (!line.isEmpty() && (line[0] == ' ' || line[0] == '\t')) {
            if (!out.isEmpty()) out.last().second += ' ' + line.trimmed();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) continue;
        out.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return out;
}

void splitAddress(const QString &decoded, QString *name, QString *addr)
{
    static const QRegularExpression angle(QStringLiteral("^(.*)<([^<>]+)>\\s*$"));
    auto m = angle.match(decoded.trimmed());
    if (m.hasMatch()) {
        QString n = m.captured(1).trimmed();
        if (n.size() >= 2 && n.startsWith(QLatin1Char('"')) && n.endsWith(QLatin1Char('"'))) n = n.mid(1, n.size() - 2);
        *name = n;
        *addr = m.captured(2).trimmed();
    } else {
        *name = QString();
        *addr = decoded.trimmed();
    }
}

MessageRecord envelopeFromRaw(const QByteArray &raw)
{
    MessageRecord m;
    m.size = raw.size();
    for (const auto &[key, value] : headerFields(raw)) {
        if (key == "subject" && m.subject.isEmpty()) m.subject = decodeHeader(value);
        else if (key == "from" && m.fromAddr.isEmpty() && m.fromName.isEmpty()) {
            // Structure first, decoding after (mime/Address.h): the first mailbox.
            const QList<Mailbox> from = parseAddressList(value);
            if (!from.isEmpty()) {
                m.fromName = from.first().name;
                m.fromAddr = from.first().address;
            }
        }
        else if (key == "to" && m.to.isEmpty()) m.to = formatMailboxList(parseAddressList(value));
        else if (key == "cc" && m.cc.isEmpty()) m.cc = formatMailboxList(parseAddressList(value));
        else if (key == "date" && m.date == 0) m.date = parseRfc5322Date(value);
        else if (key == "message-id" && m.messageId.isEmpty()) m.messageId = QString::fromUtf8(value).trimmed();
        else if (key == "in-reply-to" && m.inReplyTo.isEmpty()) m.inReplyTo = QString::fromUtf8(value).trimmed();
        else if (key == "references" && m.references.isEmpty()) m.references = QString::fromUtf8(value).simplified();
        else if (key == "content-type") m.hasAttachment = value.toLower().startsWith("multipart/mixed");
    }
    return m;
}

} // namespace heron::mime
