#pragma once
#include <QByteArray>
#include <QString>
#include <cstdint>

namespace heron::mime {

// Decodes RFC 2047 encoded-words ("=?utf-8?Q?...?=") in an unstructured header
// value or display name; unknown charsets fall back to Latin-1, raw 8-bit text
// is taken as UTF-8 when valid. Control and bidi-override characters are
// removed so a display name cannot spoof what follows it.
QString decodeHeader(const QByteArray &raw);

// Removes C0/C1 controls and Unicode bidi overrides/isolates; folds whitespace.
QString sanitizeDisplayText(const QString &text);

// Parses an RFC 5322 date ("Tue, 3 Nov 2026 10:00:00 +0100", obsolete zones too).
// Returns seconds since the epoch, or 0 when unparseable.
int64_t parseRfc5322Date(const QByteArray &raw);

// Parses an IMAP INTERNALDATE ("17-Jul-1996 02:44:25 -0700").
int64_t parseInternalDate(const QByteArray &raw);

// Decodes text in a named charset (via Qt's converters), Latin-1 if unknown.
QString decodeCharset(const QByteArray &bytes, const QByteArray &charset);

} // namespace heron::mime
