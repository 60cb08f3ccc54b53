#include "HtmlSanitizer.h"

#include <QRegularExpression>

namespace heron::ui {

SanitizedHtml sanitizeHtml(const QString &input)
{
    SanitizedHtml out;
    QString s = input;
    static const QRegularExpression blocks(
        QStringLiteral("<(script|iframe|frame|frameset|object|embed|applet|form|noscript)\\b[^>]*>.*?</\\1\\s*>"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression singles(
        QStringLiteral("<(script|iframe|frame|object|embed|applet|form|meta|link|base|input|button|textarea)\\b[^>]*>"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression closers(
        QStringLiteral("</(script|iframe|frame|object|embed|applet|form|button|textarea)\\s*>"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression handlers(QStringLiteral("\\s+on[a-z]+\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s>]+)"),
                                             QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression jsUrls(QStringLiteral("(href|src)\\s*=\\s*([\"']?)\\s*(javascript|vbscript|data:text/html)[^\"'>\\s]*\\2"),
                                           QRegularExpression::CaseInsensitiveOption);
    s.remove(blocks);
    s.remove(singles);
    s.remove(closers);
    s.remove(handlers);
    s.replace(jsUrls, QStringLiteral("\\1=\"#\""));
    // Remote references: src=, background=, CSS url(...).
    static const QRegularExpression remote(
        QStringLiteral("(?:src|background)\\s*=\\s*[\"']?((?:https?:|ftp:)?//[^\"'\\s>]+)|url\\(\\s*[\"']?((?:https?:|ftp:)?//[^\"')\\s]+)"),
        QRegularExpression::CaseInsensitiveOption);
    auto it = remote.globalMatch(s);
    while (it.hasNext()) {
        auto m = it.next();
        QString url = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
        if (url.startsWith(QLatin1String("//"))) url.prepend(QLatin1String("https:"));
        if (!out.remoteUrls.contains(url)) out.remoteUrls << url;
    }
    out.html = s;
    return out;
}

QString plainTextToHtml(const QString &text)
{
    static const QRegularExpression link(
        QStringLiteral("(https?://[^\\s<>\"]+[^\\s<>\"\\.,;:!?\\)\\]])|(mailto:[^\\s<>\"]+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})"));
    QString html = QStringLiteral("<div style=\"white-space: pre-wrap;\">");
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (QString line : lines) {
        if (line.endsWith(QLatin1Char('\r'))) line.chop(1);
        int depth = 0;
        for (QChar c : line) {
            if (c == QLatin1Char('>')) ++depth;
            else if (c != QLatin1Char(' ')) break;
        }
        QString escaped;
        int last = 0;
        auto it = link.globalMatch(line);
        while (it.hasNext()) {
            auto m = it.next();
            escaped += line.mid(last, m.capturedStart() - last).toHtmlEscaped();
            QString target = m.captured(0);
            QString href = m.captured(3).isEmpty() ? target : QStringLiteral("mailto:") + target;
            escaped += QStringLiteral("<a href=\"%1\">%2</a>").arg(href.toHtmlEscaped(), target.toHtmlEscaped());
            last = int(m.capturedEnd());
        }
        escaped += line.mid(last).toHtmlEscaped();
        if (depth > 0) {
            static const char *colors[] = {"#2b6cb0", "#2f855a", "#975a16"};
            html += QStringLiteral("<span style=\"color:%1\">%2</span>\n").arg(QLatin1String(colors[(depth - 1) % 3]), escaped);
        } else {
            html += escaped + QLatin1Char('\n');
        }
    }
    html += QStringLiteral("</div>");
    return html;
}

} // namespace heron::ui
