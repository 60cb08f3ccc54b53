#include "util/CrashPoint.h"

#include <QByteArray>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace heron::util {

namespace {
struct Target {
    QByteArray name;
    int hits = 1;
};

const Target *target()
{
    static const Target *t = [] () -> const Target * {
        const char *env = std::getenv("HERON_CRASH_AT");
        if (!env || !*env) return nullptr;
        auto *x = new Target;
        QByteArray spec(env);
        const qsizetype colon = spec.indexOf(':');
        x->name = colon < 0 ? spec : spec.left(colon);
        if (colon >= 0) x->hits = std::max(1, spec.mid(colon + 1).toInt());
        return x;
    }();
    return t;
}

std::atomic_int g_passed{0};
} // namespace

void crashPoint(const char *name)
{
    const Target *t = target();
    if (!t || t->name != name) return;
    if (g_passed.fetch_add(1) + 1 < t->hits) return;
    std::raise(SIGKILL);
}

} // namespace heron::util
