#pragma once
// Named crash points for the crash harness (tests/integration/crash_test.sh),
// in the style of isync's run-tests: with HERON_CRASH_AT=name (or name:N for
// the N-th time that point is passed) the process kills itself with SIGKILL
// right there — no destructor, no commit, no flush — as a power cut or an
// OOM kill would. Unset (always, outside the harness) it costs one relaxed
// atomic load.
namespace heron::util {

void crashPoint(const char *name);

} // namespace heron::util

#define HERON_CRASH_POINT(name) ::heron::util::crashPoint(name)
