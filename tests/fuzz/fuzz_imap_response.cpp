// libFuzzer target: the bounded IMAP response reader and parser (everything a
// server sends after login). Input: a byte stream as it arrives, fed in pieces.
#include "net/ImapResponse.h"

#include <QString>

#include <algorithm>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace heron::net;
    ImapLimits limits;
    limits.maxLineBytes = 1 << 16;
    limits.maxLiteralBytes = 1 << 20;
    limits.maxResponseBytes = 2 << 20;
    ImapResponseReader reader(limits);
    // The first byte chooses how the stream is cut into reads.
    const size_t step = size ? 1 + data[0] % 64 : 1;
    try {
        for (size_t pos = size ? 1 : 0; pos < size; pos += step) {
            reader.feed(reinterpret_cast<const char *>(data) + pos, std::min(step, size - pos));
            QByteArray response;
            while (reader.take(&response)) {
                try {
                    ImapResponse r = parseImapResponse(response, limits);
                    for (const ImapValue &v : r.items) (void)v.number();
                } catch (const ProtocolError &) {
                }
            }
        }
    } catch (const ProtocolError &) {
    }
    (void)decodeMailboxName(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    return 0;
}
