// libFuzzer target: the HTML sanitiser, HTML to text, and plain text to HTML.
// The output of the sanitiser is sanitised again: nothing it lets through may
// be a script, a handler or a link with another scheme.
#include "mime/HtmlSanitizer.h"

#include <QRegularExpression>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace heron::mime;
    const QString html = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const SanitizedHtml s = sanitizeHtml(html);
    for (const HtmlLink &l : s.links) {
        const QString scheme = QUrl(l.href).scheme().toLower();
        if (!(scheme.isEmpty() || scheme == QLatin1String("http") || scheme == QLatin1String("https") || scheme == QLatin1String("mailto")))
        {
            std::fprintf(stderr, "link with scheme \"%s\" got through: %s\n", qPrintable(scheme), qPrintable(l.href));
            abort(); // a link with another scheme got through
        }
        (void)linkTextMisleads(l.text, QUrl(l.href));
    }
    static const QRegularExpression script(QStringLiteral("<\\s*/?\\s*(script|iframe|object|embed|form)\\b"),
                                           QRegularExpression::CaseInsensitiveOption);
    if (s.html.contains(script)) {
        std::fprintf(stderr, "a script element got through\n");
        abort();
    }
    (void)sanitizeHtml(s.html);
    (void)htmlToPlainText(html);
    (void)plainTextToHtml(html);
    return 0;
}
