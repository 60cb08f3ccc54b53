#include "mime/MessageContent.h"

#include "mime/HeaderDecoding.h"

#include <QRegularExpression>

#include <vmime/vmime.hpp>
#include <vmime/contentDispositionField.hpp>
#include <vmime/contentTypeField.hpp>

namespace heron::mime {

namespace {
constexpr int kMaxDepth = 40;
constexpr int kMaxParts = 2000;

QByteArray headerRaw(const vmime::header &h, const char *name)
{
    auto f = h.findField(name);
    if (!f) return QByteArray();
    // Generate the raw value (still RFC 2047 encoded); we decode it ourselves.
    std::string out = f->getValue()->generate();
    return QByteArray::fromStdString(out);
}

QByteArray decoded(const vmime::shared_ptr<const vmime::contentHandler> &ch)
{
    std::string s;
    vmime::utility::outputStreamStringAdapter os(s);
    ch->extract(os);
    return QByteArray::fromStdString(s);
}

QString safeFileName(QString name, const QString &mimeType, int index)
{
    name = sanitizeDisplayText(name);
    name.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char('\\'), QLatin1Char('_'));
    while (name.startsWith(QLatin1Char('.'))) name.remove(0, 1);
    if (name.isEmpty()) {
        QString ext = mimeType.section(QLatin1Char('/'), 1);
        name = QStringLiteral("attachment-%1.%2").arg(index).arg(ext.isEmpty() ? QStringLiteral("bin") : ext);
    }
    return name.left(200);
}

struct Walker {
    MessageContent &out;
    int parts = 0;

    void walk(const vmime::shared_ptr<const vmime::bodyPart> &part, int depth, bool inAlternative)
    {
        if (depth > kMaxDepth || ++parts > kMaxParts) {
            out.problem = QStringLiteral("The message is nested too deeply or has too many parts; the rest is not shown.");
            return;
        }
        auto hdr = part->getHeader();
        auto body = part->getBody();
        vmime::mediaType type = body->getContentType();
        const QString mimeType = QString::fromStdString(type.getType() + "/" + type.getSubType()).toLower();
        if (type.getType() == vmime::mediaTypes::MULTIPART) {
            bool alt = type.getSubType() == vmime::mediaTypes::MULTIPART_ALTERNATIVE;
            for (size_t i = 0; i < body->getPartCount(); ++i)
                walk(body->getPartAt(i), depth + 1, alt);
            return;
        }
        QString disposition;
        QString fileName;
        if (auto cd = hdr->findField<vmime::contentDispositionField>(vmime::fields::CONTENT_DISPOSITION)) {
            disposition = QString::fromStdString(cd->getValue<vmime::contentDisposition>()->getName()).toLower();
            if (cd->hasFilename())
                fileName = QString::fromStdString(cd->getFilename().getConvertedText(vmime::charsets::UTF_8));
        }
        if (fileName.isEmpty()) {
            if (auto ct = hdr->findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE))
                if (ct->hasParameter("name"))
                    fileName = QString::fromStdString(
                        ct->getParameter("name")->getValue().getConvertedText(vmime::charsets::UTF_8));
        }
        QString contentId = QString::fromLatin1(headerRaw(*hdr, vmime::fields::CONTENT_ID)).trimmed();
        if (contentId.startsWith(QLatin1Char('<'))) contentId = contentId.mid(1);
        if (contentId.endsWith(QLatin1Char('>'))) contentId.chop(1);

        const bool isText = type.getType() == vmime::mediaTypes::TEXT;
        const bool attachmentLike = disposition == QLatin1String("attachment") || (!fileName.isEmpty() && !isText);
        if (isText && !attachmentLike && (mimeType == QLatin1String("text/plain") || mimeType == QLatin1String("text/html"))) {
            QByteArray bytes = decoded(body->getContents());
            QString text = decodeCharset(bytes, QByteArray::fromStdString(body->getCharset().getName()));
            QString &target = mimeType == QLatin1String("text/html") ? out.html : out.plainText;
            if (target.isEmpty()) {
                target = text;
                return;
            }
            if (!inAlternative && mimeType == QLatin1String("text/plain")) {
                target += QStringLiteral("\n\n") + text; // several inline text parts
                return;
            }
        }
        Attachment a;
        a.mimeType = mimeType;
        a.contentId = contentId;
        a.isInline = !contentId.isEmpty() && disposition != QLatin1String("attachment");
        a.data = decoded(body->getContents());
        a.fileName = safeFileName(fileName, mimeType, int(out.attachments.size() + out.inlineParts.size()) + 1);
        if (a.isInline && !isText)
            out.inlineParts.push_back(a);
        else
            out.attachments.push_back(a);
    }
};
} // namespace

const Attachment *MessageContent::findContentId(const QString &cid) const
{
    for (const Attachment &a : inlineParts)
        if (a.contentId == cid) return &a;
    for (const Attachment &a : attachments)
        if (!a.contentId.isEmpty() && a.contentId == cid) return &a;
    return nullptr;
}

MessageContent parseMessage(const QByteArray &raw)
{
    MessageContent out;
    // vmime recurses per multipart level: refuse absurd nesting before parsing.
    int multiparts = 0;
    for (qsizetype i = raw.indexOf("multipart/"); i >= 0 && multiparts <= 500; i = raw.indexOf("multipart/", i + 10))
        ++multiparts;
    for (qsizetype i = raw.indexOf("Multipart/"); i >= 0 && multiparts <= 500; i = raw.indexOf("Multipart/", i + 10))
        ++multiparts;
    if (multiparts > 500) {
        out.problem = QStringLiteral("This message has an abnormal structure (hundreds of nested parts) and is shown as raw text.");
        out.plainText = QString::fromUtf8(raw.left(1 << 20));
        return out;
    }
    try {
        auto msg = vmime::make_shared<vmime::message>();
        msg->parse(raw.toStdString());
        auto hdr = msg->getHeader();
        out.subject = decodeHeader(headerRaw(*hdr, vmime::fields::SUBJECT));
        out.from = decodeHeader(headerRaw(*hdr, vmime::fields::FROM));
        out.to = decodeHeader(headerRaw(*hdr, vmime::fields::TO));
        out.cc = decodeHeader(headerRaw(*hdr, vmime::fields::CC));
        out.bcc = decodeHeader(headerRaw(*hdr, vmime::fields::BCC));
        out.replyTo = decodeHeader(headerRaw(*hdr, vmime::fields::REPLY_TO));
        for (const auto &f : hdr->findAllFields(vmime::fields::DELIVERED_TO))
            out.deliveredTo << decodeHeader(QByteArray::fromStdString(f->getValue()->generate())).trimmed();
        out.date = QString::fromLatin1(headerRaw(*hdr, vmime::fields::DATE)).trimmed();
        Walker w{out};
        w.walk(msg, 0, false);
    } catch (const std::exception &e) {
        out.problem = QStringLiteral("The message could not be decoded: %1").arg(QString::fromUtf8(e.what()));
        if (out.plainText.isEmpty() && out.html.isEmpty())
            out.plainText = QString::fromUtf8(raw.left(1 << 20));
    }
    return out;
}

QString unflow(const QString &text)
{
    QString t = text;
    t.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    QStringList out;
    QString pending;
    for (QString line : t.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1Char(' '))) line.remove(0, 1); // space-stuffed
        if (line.endsWith(QLatin1Char(' ')) && line != QLatin1String("-- ")) {
            pending += line; // soft break: continues on the next line
            continue;
        }
        out << pending + line;
        pending.clear();
    }
    if (!pending.isEmpty()) out << pending;
    return out.join(QLatin1Char('\n'));
}

QString htmlToPlainText(const QString &html)
{
    QString s = html;
    static const QRegularExpression drop(QStringLiteral("<(script|style|head|title)[^>]*>.*?</\\1\\s*>"),
                                         QRegularExpression::CaseInsensitiveOption |
                                             QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression breaks(QStringLiteral("<(br|/p|/div|/tr|/h[1-6]|/li)[^>]*>"),
                                           QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
    static const QRegularExpression blank(QStringLiteral("\\n\\s*\\n\\s*\\n+"));
    s.remove(drop);
    s.replace(breaks, QStringLiteral("\n"));
    s.remove(tags);
    s.replace(QLatin1String("&nbsp;"), QLatin1String(" ")).replace(QLatin1String("&lt;"), QLatin1String("<"))
        .replace(QLatin1String("&gt;"), QLatin1String(">")).replace(QLatin1String("&quot;"), QLatin1String("\""))
        .replace(QLatin1String("&#39;"), QLatin1String("'")).replace(QLatin1String("&amp;"), QLatin1String("&"));
    s.replace(blank, QStringLiteral("\n\n"));
    return s.trimmed();
}

} // namespace heron::mime
