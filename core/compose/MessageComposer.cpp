#include "compose/MessageComposer.h"

#include "mime/Envelope.h"

#include <QRegularExpression>

#include <vmime/vmime.hpp>
#include <vmime/contentTypeField.hpp>

#include <stdexcept>

namespace heron::compose {

namespace {
QString clean(QString s)
{
    for (QChar &c : s)
        if (c == QLatin1Char('\r') || c == QLatin1Char('\n') || c == QChar(0)) c = QLatin1Char(' ');
    return s.trimmed();
}

std::string utf8(const QString &s) { return s.toStdString(); }

vmime::shared_ptr<vmime::mailbox> mailboxFor(const QString &entry, bool lenient = false)
{
    // A line break in an address field is never legitimate: refuse it rather
    // than guess what the rest of the line means.
    if (entry.contains(QLatin1Char('\r')) || entry.contains(QLatin1Char('\n')) || entry.contains(QChar(0)))
        throw std::invalid_argument("an address contains a line break");
    QString name, addr;
    mime::splitAddress(clean(entry), &name, &addr);
    QString why = checkAddress(addr);
    if (!why.isEmpty() && !lenient) throw std::invalid_argument(why.toStdString());
    auto mb = vmime::make_shared<vmime::mailbox>(vmime::emailAddress(utf8(addr)));
    if (!name.isEmpty()) mb->setName(vmime::text(utf8(name), vmime::charsets::UTF_8));
    return mb;
}

QString bare(const QString &entry)
{
    QString name, addr;
    mime::splitAddress(clean(entry), &name, &addr);
    return addr;
}
} // namespace

QString checkAddress(const QString &address)
{
    static const QRegularExpression re(QStringLiteral("^[^\\s@<>()\\[\\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
    if (address.isEmpty()) return QStringLiteral("an address is empty");
    if (!re.match(address).hasMatch()) return QStringLiteral("\"%1\" is not a valid e-mail address").arg(address);
    return QString();
}

QStringList splitAddressField(const QString &field)
{
    QStringList out;
    QString cur;
    bool quoted = false;
    int angle = 0;
    for (QChar c : field) {
        if (c == QLatin1Char('"')) quoted = !quoted;
        else if (c == QLatin1Char('<')) ++angle;
        else if (c == QLatin1Char('>')) angle = std::max(0, angle - 1);
        if ((c == QLatin1Char(',') || c == QLatin1Char(';')) && !quoted && angle == 0) {
            if (!cur.trimmed().isEmpty()) out << cur.trimmed();
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.trimmed().isEmpty()) out << cur.trimmed();
    return out;
}

QString encodeFlowed(const QString &text, int width)
{
    QStringList out;
    QString normalized = text;
    normalized.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    for (QString line : normalized.split(QLatin1Char('\n'))) {
        if (line == QLatin1String("-- ")) { out << line; continue; } // signature separator (RFC 3676 4.3)
        // Trailing spaces would mean "soft break": strip them from hard lines.
        while (line.endsWith(QLatin1Char(' '))) line.chop(1);
        auto stuff = [](const QString &l) {
            return (l.startsWith(QLatin1Char(' ')) || l.startsWith(QLatin1Char('>')) || l.startsWith(QLatin1String("From ")))
                       ? QStringLiteral(" ") + l : l;
        };
        if (line.startsWith(QLatin1Char('>'))) { out << line; continue; } // quoted text keeps its lines
        while (line.size() > width) {
            int cut = int(line.lastIndexOf(QLatin1Char(' '), width));
            if (cut <= 0) cut = int(line.indexOf(QLatin1Char(' '), width));
            if (cut <= 0) break; // one long word: leave it whole
            out << stuff(line.left(cut + 1)); // keeps the space: a soft break
            line = line.mid(cut + 1);
        }
        out << stuff(line);
    }
    return out.join(QLatin1String("\r\n"));
}

BuiltMessage buildMessage(const OutgoingMessage &m, const QString &hostForMessageId, bool draft)
{
    BuiltMessage built;
    vmime::messageBuilder mb;
    auto from = mailboxFor(m.fromName.isEmpty() ? m.fromAddress : QStringLiteral("%1 <%2>").arg(clean(m.fromName), m.fromAddress));
    mb.setExpeditor(*from);
    built.envelopeFrom = bare(m.fromAddress);
    for (const QString &t : m.to) { mb.getRecipients().appendAddress(mailboxFor(t, draft)); built.recipients << bare(t); }
    for (const QString &c : m.cc) { mb.getCopyRecipients().appendAddress(mailboxFor(c, draft)); built.recipients << bare(c); }
    // Bcc goes to the builder too (vmime refuses a message without any
    // recipient in its headers: a Bcc-only message would not build); the
    // header is taken out again below unless this is a draft.
    for (const QString &b : m.bcc) { mb.getBlindCopyRecipients().appendAddress(mailboxFor(b, draft)); built.recipients << bare(b); }
    if (built.recipients.isEmpty() && !draft) throw std::invalid_argument("the message has no recipient");
    std::shared_ptr<vmime::mailbox> replyTo;
    if (!m.replyTo.trimmed().isEmpty()) {
        if (splitAddressField(m.replyTo).size() > 1) throw std::invalid_argument("Reply-To takes a single address");
        replyTo = mailboxFor(m.replyTo, draft);
    }
    mb.setSubject(vmime::text(utf8(clean(m.subject)), vmime::charsets::UTF_8));
    auto plain = vmime::make_shared<vmime::stringContentHandler>(utf8(encodeFlowed(m.body) + QStringLiteral("\r\n")));
    if (m.html.isEmpty()) {
        auto textPart = mb.getTextPart();
        textPart->setCharset(vmime::charset(vmime::charsets::UTF_8));
        textPart->setText(plain);
    } else {
        mb.constructTextPart(vmime::mediaType(vmime::mediaTypes::TEXT, vmime::mediaTypes::TEXT_HTML));
        auto htmlPart = vmime::dynamicCast<vmime::htmlTextPart>(mb.getTextPart());
        htmlPart->setCharset(vmime::charset(vmime::charsets::UTF_8));
        QString html = m.html;
        html.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        html.replace(QLatin1Char('\r'), QLatin1Char('\n'));
        html.replace(QLatin1Char('\n'), QLatin1String("\r\n"));
        htmlPart->setText(vmime::make_shared<vmime::stringContentHandler>(utf8(html)));
        htmlPart->setPlainText(plain); // first in multipart/alternative: the least preferred
    }
    for (const OutgoingAttachment &a : m.attachments) {
        auto data = vmime::make_shared<vmime::stringContentHandler>(std::string(a.data.constData(), size_t(a.data.size())));
        // RFC 2046 5.2.1: a message/rfc822 part may not be base64-encoded.
        const bool message = a.mimeType.compare(QLatin1String("message/rfc822"), Qt::CaseInsensitive) == 0;
        auto att = vmime::make_shared<vmime::defaultAttachment>(
            data, vmime::encoding(message ? vmime::encodingTypes::EIGHT_BIT : vmime::encodingTypes::BASE64),
            vmime::mediaType(utf8(a.mimeType.isEmpty() ? QStringLiteral("application/octet-stream") : clean(a.mimeType))),
            vmime::text(), vmime::word(utf8(clean(a.fileName)), vmime::charsets::UTF_8));
        mb.appendAttachment(att);
    }
    auto msg = mb.construct();
    auto hdr = msg->getHeader();
    const vmime::messageId id = vmime::messageId::generateId();
    vmime::messageId mid(id.getLeft(), utf8(hostForMessageId.isEmpty() ? QStringLiteral("heron.invalid") : clean(hostForMessageId)));
    hdr->MessageId()->setValue(mid);
    built.messageId = QString::fromStdString(mid.getId());
    hdr->Date()->setValue(vmime::datetime::now());
    if (!m.inReplyTo.trimmed().isEmpty()) {
        vmime::messageIdSequence seq;
        seq.parse(utf8(clean(m.inReplyTo)));
        hdr->InReplyTo()->setValue(seq);
    }
    if (!m.references.trimmed().isEmpty()) {
        vmime::messageIdSequence seq;
        seq.parse(utf8(clean(m.references)));
        hdr->References()->setValue(seq);
    }
    hdr->getField("User-Agent")->setValue(vmime::text("Heron"));
    if (replyTo) hdr->ReplyTo()->setValue(*replyTo);
    if (!draft) {
        // Envelope only: the recipients must not see who else was told (a
        // draft keeps its Bcc: it is not sent, and reopens as written).
        if (hdr->hasField(vmime::fields::BCC)) hdr->removeAllFields(vmime::fields::BCC);
        // RFC 5322 3.6.3: with no To and no Cc, say so rather than leave the header out.
        if (m.to.isEmpty() && m.cc.isEmpty()) {
            vmime::addressList undisclosed;
            undisclosed.appendAddress(vmime::make_shared<vmime::mailboxGroup>(vmime::text("undisclosed-recipients")));
            hdr->To()->setValue(undisclosed);
        }
    }
    // Mark the text part format=flowed (vmime does not know RFC 3676).
    std::function<void(vmime::shared_ptr<vmime::bodyPart>)> markFlowed = [&](vmime::shared_ptr<vmime::bodyPart> p) {
        auto ct = p->getHeader()->findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE);
        if (ct) {
            auto type = ct->getValue<vmime::mediaType>();
            if (type->getType() == "text" && type->getSubType() == "plain") {
                ct->appendParameter(vmime::make_shared<vmime::parameter>("format", "flowed"));
                return;
            }
        }
        for (size_t i = 0; i < p->getBody()->getPartCount(); ++i) markFlowed(p->getBody()->getPartAt(i));
    };
    markFlowed(msg);
    std::string out;
    vmime::utility::outputStreamStringAdapter os(out);
    vmime::generationContext ctx;
    ctx.setMaxLineLength(78);
    msg->generate(ctx, os);
    built.raw = QByteArray::fromStdString(out);
    return built;
}

} // namespace heron::compose
