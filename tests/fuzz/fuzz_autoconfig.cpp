// libFuzzer target: the Mozilla autoconfig XML reader (documents come from
// the network, over https but from any host the domain names).
#include "account/AutoDiscovery.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace heron;
    const QByteArray xml(reinterpret_cast<const char *>(data), qsizetype(size));
    DiscoveryResult out;
    QString why;
    (void)parseAutoconfig(xml, QStringLiteral("user@example.org"), &out, &why);
    return 0;
}
