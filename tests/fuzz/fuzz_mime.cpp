// libFuzzer target: taking a received message apart (the MIME scanner, vmime
// header parsing and transfer decoding, charsets) and preparing it for the
// viewer (sanitiser, linkifier), plus the envelope read from raw headers.
#include "mime/Envelope.h"
#include "mime/MessageContent.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace heron::mime;
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    DisplayMessage d = prepareForDisplay(raw);
    (void)d.content.findContentId(QStringLiteral("x"));
    (void)unflow(d.content.plainText);
    (void)envelopeFromRaw(raw);
    return 0;
}
