#!/usr/bin/env bash
# Builds Heron with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/) and runs the whole unit, GUI and integration suite once with
# it: any memory error or undefined behaviour aborts the test that caused it.
# Leak checking is off here (Qt, fontconfig and D-Bus keep process-lifetime
# allocations); the fuzz targets check leaks in our parsers.
set -euo pipefail
cd "$(dirname "$0")/.."
# clang compiles the instrumented build about twice as fast as g++; light
# optimisation and line tables only keep it within CI's time.
export CC=clang CXX=clang++
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DHERON_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:quarantine_size_mb=16:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Sanitized programs need more memory (shadow, redzones): the hostile-server
# checks measure the same bound, scaled.
export HERON_MAX_RSS_MB=1200
cd build-asan
ctest --output-on-failure --timeout 900 -j 2
