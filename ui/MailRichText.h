#pragma once
// The composer's rich text as it leaves Heron, and back. Only what the format
// toolbar offers survives: bold, italic, underline, strike-through, links,
// bulleted and numbered lists (nested), and quotes (block property
// QTextFormat::BlockQuoteLevel). Fonts, sizes, colours and margins of the
// local machine never reach the mail.
//
// toMailHtml and toMailPlainText walk the same document, so the plain part of
// a multipart/alternative message says what the HTML says: lists as "- " and
// "1. ", links as "text <url>", quotes as "> ", emphasis as the text itself.
// Thread: GUI (QTextDocument).
#include <QString>

class QTextBlock;
class QTextBlockFormat;
class QTextCharFormat;
class QTextDocument;

namespace heron::ui::richtext {

// A small, complete HTML document (UTF-8): <div> per paragraph, <ul>/<ol>,
// <blockquote type="cite">, <b>/<i>/<u>/<s>, <a href> for http, https and
// mailto links only. No Qt markup (no qrichtext meta, no style attributes).
QString toMailHtml(const QTextDocument &doc);
QString toMailPlainText(const QTextDocument &doc);

// Plain text into the document; lines starting with ">" become quote blocks
// (the markers removed, the depth kept).
void setFromPlainText(QTextDocument *doc, const QString &text);
// HTML (a draft written by Heron, or any message) into the document, reduced
// to what the toolbar offers.
void setFromHtml(QTextDocument *doc, const QString &html);
// Reduces every character and block format of the document to what the
// toolbar offers (used after importing HTML and for pasted content).
void reduceFormatting(QTextDocument *doc);
// True when switching to plain text would lose something (emphasis, a link,
// a list). Quotes are not formatting: the plain text keeps them as "> ".
bool hasFormatting(const QTextDocument &doc);

// The quote depth of a block (0: not quoted) and the format that shows it.
int quoteLevel(const QTextBlock &block);
void setQuoteLevel(QTextBlockFormat *format, int level);

// How a link looks in the editor (and what marks it as one).
QTextCharFormat linkFormat(const QString &href);

// What a link the user typed points to: "example.org" becomes
// "https://example.org", "a@b.org" "mailto:a@b.org". Empty with *why set when
// it is not a web or mail address.
QString linkTarget(const QString &typed, QString *why);

} // namespace heron::ui::richtext
