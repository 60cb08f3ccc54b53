#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan + UBSan, build-fuzz/) and runs
# each for SECONDS on a copy of its seed corpus plus its kept findings. One
# line per target: name, executions (and per second), result. A crash, a
# sanitizer report, a timeout (>10 s for one input) or a leak is a finding: its
# input is copied to tests/fuzz/regressions/TARGET/ (replayed by the normal
# suite from then on) and the script exits non-zero.
# Usage: bash tests/fuzz/run.sh SECONDS
set -uo pipefail
seconds=${1:?usage: run.sh SECONDS}
cd "$(dirname "$0")/../.."
root=$PWD
export CC=clang CXX=clang++
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHERON_FUZZ=ON >/dev/null || exit 2
cmake --build build-fuzz -j "$(nproc)" >build-fuzz/build.log 2>&1 || { tail -30 build-fuzz/build.log; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0
findings=0
for bin in $(find build-fuzz/tests/fuzz -maxdepth 1 -type f -executable -name "fuzz_*" | sort); do
  name=${bin##*/fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/$name/corpus/" 2>/dev/null
  [ -d tests/fuzz/regressions/"$name" ] && cp tests/fuzz/regressions/"$name"/* "$work/$name/corpus/" 2>/dev/null
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
    -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" >"$work/$name/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log" | tail -1)
  persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name/log" | tail -1)
  result=ok
  if [ "$rc" -ne 0 ] || ls "$work/$name/artifacts/"* >/dev/null 2>&1; then
    result="FINDING (exit $rc)"
    findings=$((findings + 1))
    mkdir -p tests/fuzz/regressions/"$name"
    for a in "$work/$name/artifacts/"*; do
      [ -f "$a" ] && cp "$a" tests/fuzz/regressions/"$name"/ && result="$result: tests/fuzz/regressions/$name/${a##*/}"
    done
    grep -m3 -E "ERROR: |runtime error|SUMMARY" "$work/$name/log" | sed 's/^/    /' >&2
  fi
  printf '%-14s %10s executions (%s/s)  %s\n' "$name" "${execs:-0}" "${persec:-0}" "$result"
done
[ "$findings" -eq 0 ]
