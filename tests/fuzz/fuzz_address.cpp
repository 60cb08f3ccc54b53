// libFuzzer target: address lists, display names, encoded words, dates, and
// the labels the list and the header pane show.
#include "mime/Address.h"
#include "mime/HeaderDecoding.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace heron::mime;
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<Mailbox> list = parseAddressList(raw);
    for (const Mailbox &m : list) {
        (void)senderLabel(m.name, m.address);
        (void)fullLabel(m.name, m.address);
    }
    (void)displayMailboxList(formatMailboxList(list));
    if (size >= 3) {
        const qsizetype third = qsizetype(size / 3);
        (void)mailboxFromParts(raw.left(third), raw.mid(third, third), raw.mid(2 * third));
    }
    (void)decodeHeader(raw);
    (void)decodeDisplayName(raw);
    (void)parseRfc5322Date(raw);
    (void)parseInternalDate(raw);
    return 0;
}
