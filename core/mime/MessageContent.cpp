#include "mime/MessageContent.h"

#include "mime/Address.h"
#include "mime/Envelope.h"
#include "mime/HeaderDecoding.h"

#include <cstring>
#include <stdexcept>

#include <vmime/vmime.hpp>
#include <vmime/contentDispositionField.hpp>
#include <vmime/contentTypeField.hpp>

namespace heron::mime {

namespace {
// Structure limits. The MIME tree is found by our own scanner, in one pass over
// the lines with an explicit stack (no recursion, whatever the message says):
// vmime only ever parses the header block of a single part and decodes single
// leaf bodies, so its recursive multipart parser (which crashes on deep nesting
// and rescans the whole body once per level) never runs on received mail.
constexpr int kMaxDepth = 20;          // multipart levels followed
constexpr int kMaxParts = 1000;        // leaf parts decoded
constexpr int kMaxHeaderLines = 20000; // header lines in all parts together
constexpr qsizetype kMaxHeaderBytes = 1 << 20; // one header block
constexpr qsizetype kMaxTextChars = 16 << 20;  // text shown from one message

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

// One line of the raw message: [start, end) without its line break; next is
// where the following line starts.
struct Line {
    qsizetype start, end, next;
};

Line lineAt(const QByteArray &raw, qsizetype pos, qsizetype limit)
{
    qsizetype nl = raw.indexOf('\n', pos);
    if (nl < 0 || nl >= limit) return {pos, limit, limit};
    qsizetype end = nl;
    if (end > pos && raw[end - 1] == '\r') --end;
    return {pos, end, nl + 1};
}

// What one part's header says, as vmime reads it (so a type is multipart for
// us exactly when it would be for vmime: lower-cased, trimmed).
struct PartHeader {
    vmime::shared_ptr<vmime::header> header; // the Content-* fields only
    QList<QPair<QByteArray, QByteArray>> fields; // every field, as received
    std::string type, subType, boundary, charset, encoding;
    QByteArray field(const char *name) const
    {
        for (const auto &[key, value] : fields)
            if (key == name) return value;
        return QByteArray();
    }
};

PartHeader readPartHeader(const QByteArray &raw, qsizetype start, qsizetype end)
{
    PartHeader h;
    h.fields = headerFields(raw.mid(start, end - start));
    // vmime sees only the MIME fields it is needed for: its address parser
    // recurses once per ':' in a From or To (a stack overflow for a header
    // of colons), and those fields are read by our own parser anyway.
    std::string block;
    for (const auto &[key, value] : std::as_const(h.fields))
        if (key.startsWith("content-"))
            block += key.toStdString() + ": " + value.toStdString() + "\r\n";
    h.header = vmime::make_shared<vmime::header>();
    h.header->parse(block);
    h.type = "text";
    h.subType = "plain";
    if (auto ct = h.header->findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE)) {
        auto mt = ct->getValue<vmime::mediaType>();
        h.type = mt->getType();
        h.subType = mt->getSubType();
        if (h.type == vmime::mediaTypes::MULTIPART && ct->hasParameter("boundary"))
            h.boundary = ct->getBoundary();
        if (ct->hasParameter("charset")) h.charset = ct->getCharset().getName();
    }
    if (auto cte = h.header->findField(vmime::fields::CONTENT_TRANSFER_ENCODING))
        h.encoding = vmime::utility::stringUtils::toLower(vmime::utility::stringUtils::trim(cte->getValue()->generate()));
    return h;
}

QByteArray decodeTransfer(const QByteArray &raw, qsizetype start, qsizetype end, const std::string &encoding)
{
    QByteArray body = raw.mid(start, end - start);
    if (encoding != "base64" && encoding != "quoted-printable" && encoding != "x-uuencode" && encoding != "uuencode")
        return body;
    vmime::shared_ptr<vmime::utility::encoder::encoder> enc;
    try {
        enc = vmime::utility::encoder::encoderFactory::getInstance()->create(encoding);
    } catch (const vmime::exception &) {
        return body; // an encoding vmime does not know: shown as it is
    }
    std::string out;
    vmime::utility::inputStreamByteBufferAdapter in(reinterpret_cast<const vmime::byte_t *>(body.constData()), size_t(body.size()));
    vmime::utility::outputStreamStringAdapter os(out);
    enc->decode(in, os);
    os.flush();
    return QByteArray::fromStdString(out);
}

struct Scanner {
    const QByteArray &raw;
    MessageContent &out;
    int leaves = 0;
    int headerLines = 0;

    struct Frame {
        QByteArray delimiter; // "--" + boundary
        bool alternative;
    };
    std::vector<Frame> stack;

    void problem(const QString &why)
    {
        if (out.problem.isEmpty()) out.problem = why;
    }

    // Index of the innermost open multipart whose delimiter this line is, or
    // -1; *closing tells whether it is the closing one ("--b--").
    int delimiterOf(const Line &l, bool *closing) const
    {
        if (l.end - l.start < 3 || raw[l.start] != '-' || raw[l.start + 1] != '-') return -1;
        for (int k = int(stack.size()) - 1; k >= 0; --k) {
            const QByteArray &d = stack[size_t(k)].delimiter;
            if (l.end - l.start < d.size() || memcmp(raw.constData() + l.start, d.constData(), size_t(d.size())) != 0) continue;
            qsizetype p = l.start + d.size();
            *closing = p + 1 < l.end && raw[p] == '-' && raw[p + 1] == '-';
            if (*closing) p += 2;
            while (p < l.end && (raw[p] == ' ' || raw[p] == '\t')) ++p;
            if (p == l.end) return k;
        }
        return -1;
    }

    // The header block of the part starting at pos: up to the empty line, the
    // end of the message, or a delimiter line (a part with no body). Returns
    // where the body starts.
    qsizetype headerEnd(qsizetype pos, qsizetype *blockEnd)
    {
        const qsizetype n = raw.size();
        while (pos < n) {
            const Line l = lineAt(raw, pos, n);
            if (l.end == l.start) {
                *blockEnd = l.start;
                return l.next;
            }
            bool closing;
            if (delimiterOf(l, &closing) >= 0) {
                *blockEnd = l.start;
                return l.start;
            }
            ++headerLines;
            pos = l.next;
        }
        *blockEnd = n;
        return n;
    }

    void leaf(const PartHeader &h, qsizetype start, qsizetype end, bool inAlternative)
    {
        if (++leaves > kMaxParts) {
            problem(QStringLiteral("The message has more than %1 parts; the rest is not shown.").arg(kMaxParts));
            return;
        }
        if (end < start) end = start;
        const QString mimeType = QString::fromStdString(h.type + "/" + h.subType).toLower();
        QString disposition;
        QString fileName;
        if (auto cd = h.header->findField<vmime::contentDispositionField>(vmime::fields::CONTENT_DISPOSITION)) {
            disposition = QString::fromStdString(cd->getValue<vmime::contentDisposition>()->getName()).toLower();
            if (cd->hasFilename())
                fileName = QString::fromStdString(cd->getFilename().getConvertedText(vmime::charsets::UTF_8));
        }
        if (fileName.isEmpty()) {
            if (auto ct = h.header->findField<vmime::contentTypeField>(vmime::fields::CONTENT_TYPE))
                if (ct->hasParameter("name"))
                    fileName = QString::fromStdString(ct->getParameter("name")->getValue().getConvertedText(vmime::charsets::UTF_8));
        }
        QString contentId = QString::fromLatin1(h.field("content-id")).trimmed();
        if (contentId.startsWith(QLatin1Char('<'))) contentId = contentId.mid(1);
        if (contentId.endsWith(QLatin1Char('>'))) contentId.chop(1);

        const bool isText = h.type == vmime::mediaTypes::TEXT;
        const bool attachmentLike = disposition == QLatin1String("attachment") || (!fileName.isEmpty() && !isText);
        if (isText && !attachmentLike && (mimeType == QLatin1String("text/plain") || mimeType == QLatin1String("text/html"))) {
            QString text = decodeCharset(decodeTransfer(raw, start, end, h.encoding), QByteArray::fromStdString(h.charset));
            QString &target = mimeType == QLatin1String("text/html") ? out.html : out.plainText;
            if (target.size() + text.size() > kMaxTextChars) {
                problem(QStringLiteral("The message text is very long; only the beginning is shown."));
                text.truncate(std::max<qsizetype>(0, kMaxTextChars - target.size()));
            }
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
        a.data = decodeTransfer(raw, start, end, h.encoding);
        a.fileName = safeFileName(fileName, mimeType, int(out.attachments.size() + out.inlineParts.size()) + 1);
        if (a.isInline && !isText)
            out.inlineParts.push_back(a);
        else
            out.attachments.push_back(a);
    }

    // The body of the part that ends where a line break precedes pos.
    qsizetype bodyEndBefore(qsizetype pos, qsizetype bodyStart) const
    {
        qsizetype e = pos;
        if (e > bodyStart && raw[e - 1] == '\n') --e;
        if (e > bodyStart && raw[e - 1] == '\r') --e;
        return e;
    }

    // Starts the part whose header begins at pos; returns the scan position.
    // An open leaf is described by leafHeader/leafStart.
    struct Open {
        bool leaf = false;
        PartHeader header;
        qsizetype bodyStart = 0;
        bool inAlternative = false;
    };

    qsizetype startPart(qsizetype pos, bool inAlternative, Open *open, bool top)
    {
        qsizetype blockEnd = 0;
        const qsizetype body = headerEnd(pos, &blockEnd);
        if (headerLines > kMaxHeaderLines)
            throw std::runtime_error("the message has too many header lines");
        if (blockEnd - pos > kMaxHeaderBytes)
            throw std::runtime_error("a header block of the message is larger than 1 MB");
        PartHeader h = readPartHeader(raw, pos, blockEnd);
        if (top) {
            out.subject = decodeHeader(h.field("subject"));
            // Addresses from the bytes as received: vmime's address objects
            // would have decoded encoded words inside the addresses already.
            const auto &fields = h.fields;
            auto addresses = [&](const char *name) {
                for (const auto &[key, value] : fields)
                    if (key == name) return formatMailboxList(parseAddressList(value));
                return QString();
            };
            out.from = addresses("from");
            out.to = addresses("to");
            out.cc = addresses("cc");
            out.bcc = addresses("bcc");
            out.replyTo = addresses("reply-to");
            for (const auto &[key, value] : fields)
                if (key == "delivered-to")
                    for (const Mailbox &m : parseAddressList(value)) out.deliveredTo << m.address;
            out.date = QString::fromLatin1(h.field("date")).trimmed();
        }
        open->leaf = false;
        if (h.type == vmime::mediaTypes::MULTIPART && !h.boundary.empty()) {
            if (int(stack.size()) >= kMaxDepth) {
                problem(QStringLiteral("The message is nested more than %1 levels deep; the deeper parts are not shown.").arg(kMaxDepth));
                return body; // its content is skipped up to the next known delimiter
            }
            stack.push_back({QByteArray("--") + QByteArray::fromStdString(h.boundary),
                             h.subType == vmime::mediaTypes::MULTIPART_ALTERNATIVE});
            return body; // preamble: skipped
        }
        open->leaf = true;
        open->header = h;
        open->bodyStart = body;
        open->inAlternative = inAlternative;
        return body;
    }

    void run()
    {
        const qsizetype n = raw.size();
        Open open;
        qsizetype pos = startPart(0, false, &open, true);
        // Lines are looked at only while a multipart is open; a plain message is
        // one leaf to the end.
        while (pos < n && !stack.empty()) {
            const Line l = lineAt(raw, pos, n);
            bool closing = false;
            const int k = delimiterOf(l, &closing);
            if (k < 0) {
                pos = l.next;
                continue;
            }
            if (open.leaf) leaf(open.header, open.bodyStart, bodyEndBefore(l.start, open.bodyStart), open.inAlternative);
            open.leaf = false;
            // A delimiter of an outer multipart ends every inner one.
            stack.resize(size_t(k) + 1);
            if (closing) {
                stack.pop_back(); // epilogue follows: skipped until an outer delimiter
                pos = l.next;
                continue;
            }
            if (leaves >= kMaxParts) {
                problem(QStringLiteral("The message has more than %1 parts; the rest is not shown.").arg(kMaxParts));
                return;
            }
            pos = startPart(l.next, stack.back().alternative, &open, false);
        }
        if (open.leaf) leaf(open.header, open.bodyStart, n, open.inAlternative);
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
    try {
        Scanner s{raw, out};
        s.run();
    } catch (const std::exception &e) {
        out.problem = QStringLiteral("This message is malformed (%1); it is shown as raw text.").arg(QString::fromUtf8(e.what()));
        out.html.clear();
        out.attachments.clear();
        out.inlineParts.clear();
        out.plainText = QString::fromUtf8(raw.left(1 << 20));
    }
    return out;
}

DisplayMessage prepareForDisplay(const QByteArray &raw)
{
    // What the viewer lays out on the GUI thread is bounded: Qt's layout of a
    // few MB of text takes seconds. The rest stays in the source.
    constexpr qsizetype kMaxShown = 1'000'000;
    DisplayMessage d;
    d.content = parseMessage(raw);
    auto tooLong = [&] {
        const QString note = QStringLiteral("This message is very long; only its first %1 characters are shown.").arg(kMaxShown);
        d.content.problem = d.content.problem.isEmpty() ? note : d.content.problem + QLatin1Char(' ') + note;
    };
    if (!d.content.html.isEmpty()) {
        SanitizedHtml s = sanitizeHtml(d.content.html.size() > kMaxShown ? d.content.html.left(kMaxShown) : d.content.html);
        if (d.content.html.size() > kMaxShown) tooLong();
        d.html = std::move(s.html);
        d.remoteUrls = std::move(s.remoteUrls);
        d.links = std::move(s.links);
    } else {
        if (d.content.plainText.size() > kMaxShown) tooLong();
        d.html = plainTextToHtml(d.content.plainText.left(kMaxShown));
    }
    return d;
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

} // namespace heron::mime
