#include "compose/ReplyBuilder.h"

#include "mime/Envelope.h"

#include <QDateTime>
#include <QLocale>
#include <QRegularExpression>

namespace heron::compose {

QString prefixedSubject(const QString &subject, const QString &prefix)
{
    // Strip any number of leading prefixes of the same kind ("Re:", "RE:", "Re[2]:", "AW:" for replies;
    // "Fwd:", "Fw:", "WG:" for forwards), then add one.
    const bool reply = prefix.startsWith(QLatin1String("Re"), Qt::CaseInsensitive);
    static const QRegularExpression re(QStringLiteral("^\\s*(re|aw|sv|antw)(\\[\\d+\\])?\\s*:\\s*"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression fw(QStringLiteral("^\\s*(fwd?|wg|tr)\\s*:\\s*"), QRegularExpression::CaseInsensitiveOption);
    QString s = subject.trimmed();
    for (;;) {
        auto m = (reply ? re : fw).match(s);
        if (!m.hasMatch()) break;
        s = s.mid(m.capturedLength());
    }
    return prefix + QStringLiteral(": ") + s;
}

QString quote(const QString &text)
{
    QStringList out;
    QString t = text;
    t.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    while (t.endsWith(QLatin1Char('\n'))) t.chop(1);
    for (const QString &line : t.split(QLatin1Char('\n')))
        out << (line.startsWith(QLatin1Char('>')) ? QStringLiteral(">") + line : QStringLiteral("> ") + line);
    return out.join(QLatin1Char('\n'));
}

static QString bodyText(const mime::MessageContent &c)
{
    return c.plainText.isEmpty() ? mime::htmlToPlainText(c.html) : c.plainText;
}

static QString sender(const MessageRecord &m)
{
    return m.fromName.isEmpty() ? m.fromAddr : QStringLiteral("%1 <%2>").arg(m.fromName, m.fromAddr);
}

int receivingIdentity(const std::vector<Identity> &candidates, const MessageRecord &original,
                      const mime::MessageContent &content)
{
    const QStringList fields[] = {splitAddressField(original.to), splitAddressField(original.cc), content.deliveredTo};
    for (const QStringList &field : fields) {
        for (const QString &entry : field) {
            QString name, addr;
            mime::splitAddress(entry, &name, &addr);
            for (size_t i = 0; i < candidates.size(); ++i)
                if (!addr.isEmpty() && addr.compare(candidates[i].email, Qt::CaseInsensitive) == 0) return int(i);
        }
    }
    return -1;
}

OutgoingMessage startReply(ReplyKind kind, const MessageRecord &original, const mime::MessageContent &content,
                           const QStringList &ownAddresses, const QByteArray &raw)
{
    OutgoingMessage m;
    if (kind == ReplyKind::ForwardAsAttachment) {
        m.subject = prefixedSubject(original.subject, QStringLiteral("Fwd"));
        QString name = original.subject.isEmpty() ? QStringLiteral("message") : original.subject.left(60);
        name.replace(QRegularExpression(QStringLiteral("[/\\\\:*?\"<>|]")), QStringLiteral("_"));
        m.attachments.push_back({name + QStringLiteral(".eml"), QStringLiteral("message/rfc822"), raw});
        return m;
    }
    const QString when = QLocale(QLocale::English).toString(QDateTime::fromSecsSinceEpoch(original.date), QStringLiteral("ddd, d MMM yyyy 'at' HH:mm"));
    if (kind == ReplyKind::Forward) {
        m.subject = prefixedSubject(original.subject, QStringLiteral("Fwd"));
        m.body = QStringLiteral("\n\n-------- Forwarded Message --------\nSubject: %1\nDate: %2\nFrom: %3\nTo: %4\n%5\n%6")
                     .arg(original.subject, when, sender(original), original.to,
                          original.cc.isEmpty() ? QString() : QStringLiteral("Cc: %1\n").arg(original.cc), bodyText(content));
        for (const mime::Attachment &a : content.attachments)
            m.attachments.push_back({a.fileName, a.mimeType, a.data});
        return m;
    }
    m.subject = prefixedSubject(original.subject, QStringLiteral("Re"));
    m.to = {sender(original)};
    auto isOwn = [&](const QString &entry) {
        QString name, addr;
        mime::splitAddress(entry, &name, &addr);
        for (const QString &own : ownAddresses)
            if (addr.compare(own, Qt::CaseInsensitive) == 0) return true;
        return addr.compare(original.fromAddr, Qt::CaseInsensitive) == 0; // already in To
    };
    if (kind == ReplyKind::ReplyAll) {
        for (const QString &t : splitAddressField(original.to))
            if (!isOwn(t)) m.to << t;
        for (const QString &c : splitAddressField(original.cc))
            if (!isOwn(c)) m.cc << c;
    }
    m.inReplyTo = original.messageId;
    QString refs = original.references.trimmed();
    if (!original.messageId.isEmpty() && !refs.contains(original.messageId))
        refs = (refs + QLatin1Char(' ') + original.messageId).trimmed();
    m.references = refs;
    m.body = QStringLiteral("\n\nOn %1, %2 wrote:\n%3\n").arg(when, sender(original), quote(bodyText(content)));
    return m;
}

} // namespace heron::compose
