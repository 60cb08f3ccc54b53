#pragma once
// Cleans received HTML before it reaches the viewer, in one linear pass (no
// regular expression, no backtracking, no recursion: time and memory are
// proportional to the input whatever it holds). Elements that run or embed
// things (script, iframe, object, form, ...) are dropped with their content,
// event handlers and style-free attributes that load things are dropped, link
// targets keep only http, https, mailto and in-page (#) targets, and every
// remote reference (img src, background, CSS url(), both quoted and not) is
// listed so the viewer can block it. Each link's visible text is kept, so the
// viewer can warn when the text names another place than the link goes to.
// The viewer (QTextBrowser) runs no scripts anyway: this is defence in depth
// and the basis of the "remote content blocked" bar. GUI-free, any thread.
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace heron::mime {

struct HtmlLink {
    QString href; // as the viewer will see it (entities decoded, whitespace removed)
    QString text; // the visible text (at most 300 characters)
};

struct SanitizedHtml {
    QString html;
    QStringList remoteUrls; // images and style sheets that would be fetched
    QList<HtmlLink> links;  // every <a href> kept, in order
};

SanitizedHtml sanitizeHtml(const QString &html);

// Plain text to HTML: escaped, URLs and mail addresses made clickable, quoted
// lines ("> ") shown in colour. Linear time.
QString plainTextToHtml(const QString &text);

// Makes plain text from HTML for previews, search and terminals (no layout
// engine). Linear time.
QString htmlToPlainText(const QString &html);

// Only these schemes are ever opened from a message: http, https, mailto.
bool isOpenableLink(const QUrl &url);

// True when a link's visible text itself names a web or mail address that is
// not where the link goes (text "https://bank.example", target elsewhere).
bool linkTextMisleads(const QString &text, const QUrl &target);

} // namespace heron::mime
