#!/usr/bin/env bash
# One window per profile: a second `heron` on the same profile raises the
# first one's window and exits; once the first is gone (even killed), the
# profile can be opened again. Usage: single_instance_test.sh HERON
set -uo pipefail
heron_bin=$1
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
failures=0
passes=0
check() {
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}
wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.05; done; }
profile=$work/profile
mkdir -p "$profile"

"$heron_bin" --profile "$profile" --offline >"$work/first.out" 2>&1 &
first=$!
pids+=("$first")
# QLockFile writes the owner's pid on the lock's first line.
owns() { [ "$(head -n 1 "$1/heron.lock" 2>/dev/null)" = "$2" ]; }
check "the first start holds the profile" wait_until 60 owns "$profile" "$first"
timeout 30 "$heron_bin" --profile "$profile" --offline >"$work/second.out" 2>&1
rc=$?
check "the second start exits at once, successfully (exit $rc)" test "$rc" -eq 0
check "the second start says the window was raised" grep -q "its window was raised" "$work/second.out"
check "the first window was asked to come forward" wait_until 10 grep -q "raised this window" "$work/first.out"
check "the first is still running" kill -0 "$first"
# Killed, as a crash would: the lock of a dead process does not hold the profile.
kill -9 "$first"
wait "$first" 2>/dev/null
"$heron_bin" --profile "$profile" --offline >"$work/third.out" 2>&1 &
third=$!
pids+=("$third")
check "after a crash the profile opens again" wait_until 60 owns "$profile" "$third"
timeout 30 "$heron_bin" --profile "$profile" --offline >"$work/fourth.out" 2>&1
check "and a further start raises the new owner's window" grep -q "its window was raised" "$work/fourth.out"
check "the new owner runs" kill -0 "$third"
# Another profile is another window.
other=$work/other
mkdir -p "$other"
"$heron_bin" --profile "$other" --offline >"$work/other.out" 2>&1 &
otherpid=$!
pids+=("$otherpid")
check "another profile opens its own window" wait_until 60 owns "$other" "$otherpid"
echo "$passes passed, $failures failed"
if [ "$failures" -ne 0 ]; then # what each start said, for the next person who meets a failure
  for f in "$work"/*.out; do echo "--- ${f##*/}"; cat "$f"; done
fi
[ "$failures" -eq 0 ]
