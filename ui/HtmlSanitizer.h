#pragma once
// Cleans received HTML before it reaches the viewer: scripts, frames, forms,
// event handlers and javascript: links removed, and every remote reference
// (http, https, ftp, protocol-relative) listed so the viewer can block it.
// The viewer (QTextBrowser) cannot run scripts anyway; this is defence in depth
// and the basis of the "remote content blocked" bar.
#include <QString>
#include <QStringList>

namespace heron::ui {

struct SanitizedHtml {
    QString html;
    QStringList remoteUrls; // images and style sheets that would be fetched
};

SanitizedHtml sanitizeHtml(const QString &html);

// Plain text to HTML: escaped, URLs and mail addresses made clickable, quoted
// lines ("> ") shown in colour.
QString plainTextToHtml(const QString &text);

} // namespace heron::ui
