#!/usr/bin/env bash
# heron-cli against servers that try to make it allocate without bound
# (tests/integration/hostileserver.py): a POP3 RETR that never ends behind a
# LIST that says 100 bytes, greetings and capability lists that never end,
# UID sets of four billion, a body literal over the account's limit behind a
# small RFC822.SIZE, an SMTP greeting that never ends. Every time: no crash,
# no hang, a clear error, at most 300 MB of memory, and the account still
# usable afterwards (what could be downloaded is, nothing is lost).
# Usage: hostile_test.sh HERON_CLI
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
export HERON_NET_TIMEOUT=5
unset DBUS_SESSION_BUS_ADDRESS
max_mb=${HERON_MAX_RSS_MB:-300}
start_server() { # scenario: sets sdir, spid, port
  sdir=$(mktemp -d "$work/s.XXXX")
  python3 "$here/hostileserver.py" "$1" "$sdir" &
  spid=$!
  wait_until 10 test -f "$sdir/port" || { echo "hostile server did not start" >&2; exit 1; }
  port=$(cat "$sdir/port")
}
stop_server() { touch "$sdir/stop"; wait "$spid" 2>/dev/null; }
new_profile() { # proto [extra account options]: sets p
  local proto=$1; shift
  p=$(mktemp -d "$work/p.XXXX")
  case $proto in
    imap) args=(--protocol imap --host 127.0.0.1 --port "$port" --security none) ;;
    pop3) args=(--protocol pop3 --host 127.0.0.1 --port "$port" --security none --pop3-policy delete) ;;
    smtp) args=(--protocol imap --host 127.0.0.1 --port 1 --security none
                --smtp-host 127.0.0.1 --smtp-port "$port" --smtp-security none) ;;
  esac
  HERON_PASSWORD=pw "$cli_bin" --profile "$p" account add --name h --email u@example.org --user u "${args[@]}" "$@" \
    --store-password-in-profile </dev/null >/dev/null 2>&1
}
run() { # what, then heron-cli arguments: sets rc, mb; stdout/stderr in $work/out, $work/err
  local what=$1; shift
  python3 "$here/maxrss.py" 90 "$work/rss" "$cli_bin" --profile "$p" "$@" </dev/null >"$work/out" 2>"$work/err"
  read -r rc mb <"$work/rss"
  echo "$what: exit $rc, max RSS ${mb} MB"
  check "$what: no crash, no hang (exit $rc)" test "$rc" -lt 124
  check "$what: at most $max_mb MB (used $mb MB)" test "$mb" -le "$max_mb"
}
told() { # what, pattern: the error output says so
  check "$1: the user is told ($(head -c 300 "$work/err" | tr '\n' ' '))" grep -qi "$2" "$work/err"
}

# POP3: LIST says 100 bytes, RETR never ends. The default limit (100 MB) stops
# it; message 2 still arrives; the next sync does not download 1 again.
start_server pop3-endless-retr
new_profile pop3
run "pop3 endless RETR" sync
told "pop3 endless RETR" "larger than the 100 MB limit"
check "pop3 endless RETR: the normal message is downloaded" \
  grep -q "normal message 2" <("$cli_bin" --profile "$p" ls INBOX 2>&1)
run "pop3 endless RETR, second sync" sync
check "pop3 endless RETR: the second sync succeeds (exit $rc)" test "$rc" -eq 0
check "pop3 endless RETR: message 1 is not downloaded again" test "$(grep -c '^RETR 1' "$sdir/commands")" -eq 1
check "pop3 endless RETR: message 2 is deleted as the policy says, message 1 never" \
  bash -c "grep -q '^DELE 2' '$sdir/commands' && ! grep -q '^DELE 1' '$sdir/commands'"
stop_server

for scenario in pop3-endless-greeting imap-endless-greeting imap-endless-capability; do
  start_server "$scenario"
  new_profile "${scenario%%-*}"
  run "$scenario" sync
  check "$scenario: the sync fails (exit $rc)" test "$rc" -ne 0
  told "$scenario" "oversized reply"
  stop_server
done

# Four billion UIDs, a thousand times: refused before anything is expanded.
start_server imap-uid-bomb
new_profile imap
run "imap UID bomb" sync
told "imap UID bomb" "more messages than the folder holds"
stop_server

# RFC822.SIZE says 100 bytes, the body is a 64 MB literal; the limit is 10 MB.
start_server imap-lying-size
new_profile imap --max-message-mb 10
run "imap lying size: sync" sync
check "imap lying size: the header sync succeeds (exit $rc)" test "$rc" -eq 0
id=$("$cli_bin" --profile "$p" ls INBOX 2>/dev/null | awk 'NR==1 {print $1}')
run "imap lying size: show" show "$id"
check "imap lying size: show fails (exit $rc)" test "$rc" -ne 0
told "imap lying size" "literal of 67108864 bytes, over the limit"
run "imap lying size: sync afterwards" sync
check "imap lying size: the account still syncs (exit $rc)" test "$rc" -eq 0
stop_server

# SMTP: a greeting that never ends. The message stays in the outbox.
start_server smtp-endless-greeting
new_profile smtp
echo body >"$work/body"
python3 "$here/maxrss.py" 90 "$work/rss" "$cli_bin" --profile "$p" send --to r@example.org --subject hostile \
  <"$work/body" >"$work/out" 2>"$work/err"
read -r rc mb <"$work/rss"
echo "smtp endless greeting: exit $rc, max RSS ${mb} MB"
check "smtp endless greeting: no crash, no hang (exit $rc)" test "$rc" -lt 124
check "smtp endless greeting: at most $max_mb MB (used $mb MB)" test "$mb" -le "$max_mb"
told "smtp endless greeting" "oversized reply"
check "smtp endless greeting: the message is still in the outbox" \
  grep -q "hostile" <("$cli_bin" --profile "$p" outbox 2>&1)
stop_server

echo "hostile servers: $passes checks passed, $failures failed"
[ "$failures" -eq 0 ]
