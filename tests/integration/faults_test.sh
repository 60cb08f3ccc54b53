#!/usr/bin/env bash
# heron-cli against a server that resets the connection, stalls, or answers
# garbage, at every step of an IMAP sync, a POP3 download (delete after
# download) and an SMTP send (tests/integration/faultserver.py). Whatever the
# step: the process neither crashes nor hangs, says what went wrong, keeps its
# database intact, and loses nothing (a message to send is still in the outbox
# or was accepted; a POP3 message is deleted on the server only once stored).
# Usage: faults_test.sh HERON_CLI
set -uo pipefail
cli_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
cleanup() {
  for d in "$work"/s.*; do [ -d "$d" ] && touch "$d/stop"; done
  wait
  rm -rf "$work"
}
trap cleanup EXIT
# Seconds of silence before a server counts as stalled: short, so the stall
# cases end quickly; the timeout path is the same as with the default.
export HERON_NET_TIMEOUT=1
unset DBUS_SESSION_BUS_ADDRESS

start_server() { # proto fault after: sets sdir, spid, port
  sdir=$(mktemp -d "$work/s.XXXX")
  python3 "$here/faultserver.py" "$1" "$2" "$3" "$sdir" &
  spid=$!
  wait_until 10 test -f "$sdir/port" || { echo "fault server did not start" >&2; exit 1; }
  port=$(cat "$sdir/port")
}
stop_server() { touch "$sdir/stop"; wait "$spid" 2>/dev/null; }

new_profile() { # proto: sets p, an account on the fault server (unencrypted: tests only)
  p=$(mktemp -d "$work/p.XXXX")
  case $1 in
    imap) args=(--protocol imap --host 127.0.0.1 --port "$port" --security none) ;;
    pop3) args=(--protocol pop3 --host 127.0.0.1 --port "$port" --security none --pop3-policy delete) ;;
    smtp) args=(--protocol imap --host 127.0.0.1 --port 1 --security none
                --smtp-host 127.0.0.1 --smtp-port "$port" --smtp-security none) ;;
  esac
  HERON_PASSWORD=pw "$cli_bin" --profile "$p" account add --name f --email u@example.org --user u "${args[@]}" \
    --store-password-in-profile </dev/null >/dev/null 2>&1
}

run_case() { # proto fault after
  local proto=$1 fault=$2 after=$3 rc what="$1 $2 at command $3"
  start_server "$proto" "$fault" "$after"
  new_profile "$proto"
  case $proto in
    imap) timeout 60 "$cli_bin" --profile "$p" sync </dev/null >"$work/out" 2>"$work/err"; rc=$? ;;
    pop3) timeout 60 "$cli_bin" --profile "$p" sync </dev/null >"$work/out" 2>"$work/err"; rc=$? ;;
    smtp) echo "body" | timeout 60 "$cli_bin" --profile "$p" send --to r@example.org --subject "fault case" \
            >"$work/out" 2>"$work/err"; rc=$? ;;
  esac
  stop_server
  check "$what: no crash, no hang (exit $rc)" test "$rc" -lt 124
  if [ "$rc" -ne 0 ]; then
    # sync says "error: ..."; send says what became of the message and why ("note: ...").
    check "$what: the error is told ($(head -c 200 "$work/err" | tr -d '\000' | tr '\n' ' '))" grep -q "^error: \|^note: " "$work/err"
  fi
  check "$what: database intact" test "$(sqlite3 "$p/heron.db" 'PRAGMA integrity_check')" = ok
  case $proto in
    smtp)
      # Sent (the server accepted the data) or still in the outbox: never gone.
      local accepted=0 listed
      [ -f "$sdir/accepted" ] && accepted=$(wc -l <"$sdir/accepted")
      listed=$("$cli_bin" --profile "$p" outbox | wc -l)
      check "$what: the message is accepted or still in the outbox ($accepted accepted, $listed listed)" \
        test $((accepted + listed)) -ge 1
      check "$what: sent at most once" test "$accepted" -le 1 ;;
    pop3)
      # Whatever the server deleted at QUIT is stored locally.
      local u lost=0
      if [ -f "$sdir/deleted" ]; then
        while read -r u; do
          [ "$(sqlite3 "$p/heron.db" "SELECT count(*) FROM pop3_uidls WHERE uidl='$u'")" -eq 1 ] || lost=$((lost + 1))
        done <"$sdir/deleted"
      fi
      check "$what: nothing deleted on the server that is not stored ($lost lost)" test "$lost" -eq 0 ;;
  esac
}

for proto in imap pop3 smtp; do
  # A clean run first: it must work, and says how many commands there are to break.
  start_server "$proto" none 0
  new_profile "$proto"
  case $proto in
    smtp) echo "body" | "$cli_bin" --profile "$p" send --to r@example.org --subject clean >/dev/null 2>"$work/err"; rc=$? ;;
    *) "$cli_bin" --profile "$p" sync </dev/null >/dev/null 2>"$work/err"; rc=$? ;;
  esac
  stop_server
  # SMTP: the copy in Sent cannot be filed (no IMAP server here): exit 0 all the same.
  check "$proto clean run succeeds (exit $rc: $(head -c 200 "$work/err"))" test "$rc" -eq 0
  steps=$(wc -l <"$sdir/commands")
  check "$proto clean run talks ($steps commands)" test "$steps" -ge 3
  [ "$proto" = pop3 ] && check "pop3 clean run downloads all three" \
    test "$("$cli_bin" --profile "$p" ls INBOX | wc -l)" -eq 3
  for n in $(seq 1 "$steps"); do
    for fault in reset stall garbage; do
      run_case "$proto" "$fault" "$n"
    done
  done
done

# The password given in the environment does not stay there, and the process
# writes no core dump (its memory holds passwords): looked at while heron-cli
# waits on a stalled server.
start_server imap stall 1
new_profile imap
rm -f "$p/secrets.ini" # the password only from the environment
HERON_NET_TIMEOUT=30 HERON_PASSWORD=env-secret-4711 "$cli_bin" --profile "$p" sync </dev/null >/dev/null 2>&1 &
cpid=$!
wait_until 20 bash -c "test -s '$sdir/commands'"
check "heron-cli is waiting on the server" kill -0 "$cpid"
check "HERON_PASSWORD is gone from /proc/PID/environ" bash -c "! tr '\\0' '\\n' </proc/$cpid/environ | grep -q env-secret-4711"
check "no core dump (limit 0)" bash -c "grep -q '^Max core file size *0 *0' /proc/$cpid/limits"
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
stop_server

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
