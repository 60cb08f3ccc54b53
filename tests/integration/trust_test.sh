#!/usr/bin/env bash
# Trust, shown with heron-cli against the real Dovecot and Postfix: nothing is
# sent twice and nothing is lost, whatever a second process on the same
# profile or a crash does. Crashes are real: HERON_CRASH_AT=point makes the
# process SIGKILL itself at a named point (core/util/CrashPoint.h), then the
# scenario is restarted and finished, and the invariants are checked
# (isync's run-tests in spirit).
# Usage: trust_test.sh HERON_CLI ENV_FILE
set -uo pipefail
cli_bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}
marker="T$RANDOM$RANDOM"
dadm() { doveadm -c "$HERON_TEST_DOVECOT_CONF" "$@"; }
# Messages in USER's MAILBOX whose subject contains TEXT.
count_in() { dadm search -u "$1" mailbox "$2" subject "$3" 2>/dev/null | wc -l; }
postfix_idle() { postqueue -c "$HERON_TEST_POSTFIX_CONF_DIR" -p 2>/dev/null | grep -q "Mail queue is empty"; }
# Polls a condition (every 0.1 s, at most LIMIT seconds): waits for a state, never for a time.
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.1
  done
}
# Everything Postfix accepted has reached Dovecot: counts are final.
settled() { wait_until 60 postfix_idle; }

# A profile whose account kim sends through submissions (implicit TLS); the
# password is given per command (HERON_PASSWORD), not stored.
new_profile() {
  "$cli_bin" --profile "$1" account add --name kim --email kim@example.org --protocol imap \
    --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user kim \
    --smtp-host localhost --smtp-port "$HERON_TEST_SUBMISSIONS_PORT" --smtp-security tls </dev/null >/dev/null 2>&1
  "$cli_bin" --profile "$1" trust add-ca "$HERON_TEST_CA" >/dev/null
}
# Queues a message to leo without sending it (no password: exit 4, "queued as N").
queue_message() { # profile subject
  echo "body of $2" | env -u HERON_PASSWORD -u DBUS_SESSION_BUS_ADDRESS "$cli_bin" --profile "$1" send \
    --to leo@example.org --subject "$2" </dev/null 2>&1 | sed -n 's/^queued as \([0-9]*\).*/\1/p'
}
flush() { # profile [env...]: sends the outbox
  local p=$1; shift
  env -u DBUS_SESSION_BUS_ADDRESS HERON_PASSWORD=secret-kim "$@" "$cli_bin" --profile "$p" outbox send </dev/null
}
outbox_state() { # profile id
  "$cli_bin" --profile "$1" outbox | awk -F'\t' -v id="$2" '$1 == id {print $2}'
}

# 1. Two processes flush one outbox of five at the same moment, and a third
#    sends a new message meanwhile: every message arrives exactly once.
p1=$work/concurrent
new_profile "$p1"
for i in 1 2 3 4 5; do queue_message "$p1" "$marker concurrent $i" >/dev/null; done
check "five messages queued" test "$("$cli_bin" --profile "$p1" outbox | grep -c queued)" -eq 5
flush "$p1" >"$work/a.out" 2>"$work/a.err" &
pa=$!
flush "$p1" >"$work/b.out" 2>"$work/b.err" &
pb=$!
echo "late" | HERON_PASSWORD=secret-kim "$cli_bin" --profile "$p1" send --to leo@example.org \
  --subject "$marker concurrent 6" </dev/null >"$work/c.out" 2>&1
wait "$pa"; ra=$?
wait "$pb"; rb=$?
check "both flushes succeed ($ra, $rb)" test "$ra" -eq 0 -a "$rb" -eq 0
check "the late send was sent (by itself or by a flush)" grep -q '^sent \|^sending ' "$work/c.out"
settled
for i in 1 2 3 4 5 6; do
  n=$(count_in leo INBOX "$marker concurrent $i")
  check "message $i delivered exactly once (got $n)" test "$n" -eq 1
done
check "the outbox is empty" test -z "$("$cli_bin" --profile "$p1" outbox)"
check "one copy of each in Sent" test "$(count_in kim Sent "$marker concurrent")" -eq 6

# 2. Crash in the outbox at each named point, then start again.
#    claimed:       nothing went out: sent once on the next run.
#    before-data:   may have gone out: Unknown, never resent by itself; sent once after Retry.
#    after-data:    went out: Unknown, never resent by itself.
#    sent-recorded: went out and was recorded: filed in Sent on the next run, not resent.
for point in outbox-claimed outbox-before-data outbox-after-data outbox-sent-recorded; do
  p=$work/crash-$point
  subject="$marker crash $point"
  new_profile "$p"
  id=$(queue_message "$p" "$subject")
  (flush "$p" HERON_CRASH_AT="$point" >/dev/null 2>&1; exit $?) 2>/dev/null
  rc=$?
  check "$point: the process died there (exit $rc)" test "$rc" -eq 137
  flush "$p" >/dev/null 2>&1
  settled
  n=$(count_in leo INBOX "$subject")
  state=$(outbox_state "$p" "$id")
  case $point in
    outbox-claimed)
      check "$point: delivered once after the restart (got $n)" test "$n" -eq 1
      check "$point: outbox empty (state '$state')" test -z "$state" ;;
    outbox-before-data)
      check "$point: not sent by itself (got $n)" test "$n" -eq 0
      check "$point: shown as unknown (state '$state')" test "$state" = unknown
      "$cli_bin" --profile "$p" outbox retry "$id" >/dev/null
      flush "$p" >/dev/null 2>&1
      settled
      check "$point: sent once after Retry (got $(count_in leo INBOX "$subject"))" test "$(count_in leo INBOX "$subject")" -eq 1 ;;
    outbox-after-data)
      check "$point: delivered once, not resent (got $n)" test "$n" -eq 1
      check "$point: shown as unknown (state '$state')" test "$state" = unknown ;;
    outbox-sent-recorded)
      check "$point: delivered once, not resent (got $n)" test "$n" -eq 1
      check "$point: filed in Sent on the next run" test "$(count_in kim Sent "$subject")" -eq 1
      check "$point: outbox empty (state '$state')" test -z "$state" ;;
  esac
  check "$point: database intact" test "$(sqlite3 "$p/heron.db" 'PRAGMA integrity_check')" = ok
done

# 3. A live sender is not declared dead: while one process holds a claim,
#    another start on the profile leaves it alone (only a dead owner's
#    "sending" becomes unknown).
p3=$work/live
new_profile "$p3"
id=$(queue_message "$p3" "$marker live owner")
sqlite3 "$p3/heron.db" "UPDATE outbox SET state='sending', owner=(SELECT '$(cat /proc/sys/kernel/random/boot_id)' || ':' || $$ || ':' || '$(awk '{print $22}' /proc/$$/stat)') WHERE id=$id"
"$cli_bin" --profile "$p3" outbox >/dev/null
check "a live owner's sending row stays sending" test "$(outbox_state "$p3" "$id")" = sending
sqlite3 "$p3/heron.db" "UPDATE outbox SET owner='$(cat /proc/sys/kernel/random/boot_id):999999:1' WHERE id=$id"
"$cli_bin" --profile "$p3" outbox >/dev/null
check "a dead owner's sending row becomes unknown" test "$(outbox_state "$p3" "$id")" = unknown

# 4. POP3 with "delete after download", crashed after the 3rd stored message,
#    before QUIT, and right after it: every message exactly once locally, and
#    the server deletes only what is stored.
for i in $(seq 1 8); do
  printf 'From: x@example.org\r\nTo: mia@example.org\r\nSubject: %s pop %s\r\nMessage-ID: <%s.pop%s@example.org>\r\n\r\nbody %s\r\n' \
    "$marker" "$i" "$marker" "$i" "$i" >"$work/pop$i.eml"
done
bash "$(dirname "$0")/../env/mailservers.sh" deliver "$HERON_TEST_DIR" mia "$work"/pop*.eml >/dev/null
pp=$work/pop
HERON_PASSWORD=secret-mia "$cli_bin" --profile "$pp" account add --name mia --email mia@example.org --protocol pop3 \
  --host localhost --port "$HERON_TEST_POP3S_PORT" --security tls --user mia --pop3-policy delete \
  --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$pp" trust add-ca "$HERON_TEST_CA" >/dev/null
total=$(count_in mia INBOX "$marker pop")
check "eight POP3 messages on the server" test "$total" -eq 8
for point in pop3-stored:3 pop3-before-quit pop3-after-quit; do
  (HERON_CRASH_AT=$point "$cli_bin" --profile "$pp" sync </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
  rc=$?
  check "$point: the process died there (exit $rc)" test "$rc" -eq 137
  local_now=$("$cli_bin" --profile "$pp" ls INBOX | grep -c "$marker pop")
  server_now=$(count_in mia INBOX "$marker pop")
  check "$point: stored locally + left on the server covers all ($local_now + $server_now >= $total)" \
    test $((local_now + server_now)) -ge "$total"
  check "$point: nothing stored twice" test "$("$cli_bin" --profile "$pp" ls INBOX | cut -f2- | sort | uniq -d | wc -l)" -eq 0
done
"$cli_bin" --profile "$pp" sync </dev/null >/dev/null 2>&1
check "POP3 sync after the crashes succeeds" test $? -eq 0
check "every POP3 message exactly once locally" test "$("$cli_bin" --profile "$pp" ls INBOX | grep -c "$marker pop")" -eq "$total"
check "the server emptied only after local storage" test "$(count_in mia INBOX "$marker pop")" -eq 0
check "POP3 database intact" test "$(sqlite3 "$pp/heron.db" 'PRAGMA integrity_check')" = ok

# 5. Crashes in the IMAP sync (after a committed batch) and in the replay of a
#    queued change (applied on the server, not yet marked done): the next
#    sync completes the cache, every message once, the change applied once.
sbox="Sync$marker"
for i in $(seq 1 60); do
  printf 'From: x@example.org\r\nTo: kim@example.org\r\nSubject: %s sync %s\r\nMessage-ID: <%s.sync%s@example.org>\r\n\r\nbody\r\n' \
    "$marker" "$i" "$marker" "$i" >"$work/sync$i.eml"
done
bash "$(dirname "$0")/../env/mailservers.sh" deliver "$HERON_TEST_DIR" kim -m "$sbox" "$work"/sync*.eml >/dev/null
sp=$work/syncprofile
HERON_PASSWORD=secret-kim "$cli_bin" --profile "$sp" account add --name kim --email kim@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user kim --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$sp" trust add-ca "$HERON_TEST_CA" >/dev/null
for point in sync-batch-stored:2 sync-batch-stored:2; do # 20 cached, then 40: the second run resumes
  (HERON_CRASH_AT=$point "$cli_bin" --profile "$sp" sync --folder "$sbox" --batch 10 </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
  rc=$?
  check "$point: the process died there (exit $rc)" test "$rc" -eq 137
  got=$("$cli_bin" --profile "$sp" ls "$sbox" | wc -l)
  check "$point: part of the folder is cached ($got of 60)" test "$got" -gt 0 -a "$got" -lt 60
done
"$cli_bin" --profile "$sp" sync --folder "$sbox" </dev/null >/dev/null 2>&1
check "sync after the crashes succeeds" test $? -eq 0
check "every message cached exactly once" test "$("$cli_bin" --profile "$sp" ls "$sbox" | cut -f2- | sort -u | wc -l)" -eq 60
check "no message twice" test "$("$cli_bin" --profile "$sp" ls "$sbox" | wc -l)" -eq 60
id=$("$cli_bin" --profile "$sp" ls "$sbox" | head -1 | cut -f1)
"$cli_bin" --profile "$sp" mark --read "$id" >/dev/null
(HERON_CRASH_AT=replay-applied "$cli_bin" --profile "$sp" sync --folder "$sbox" </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
rc=$?
check "replay-applied: the process died there (exit $rc)" test "$rc" -eq 137
check "replay-applied: the change is still queued after the crash" test -n "$("$cli_bin" --profile "$sp" queue)"
"$cli_bin" --profile "$sp" sync --folder "$sbox" </dev/null >/dev/null 2>&1
check "replay-applied: replayed again, then done" test -z "$("$cli_bin" --profile "$sp" queue)"
check "replay-applied: the message is read on the server" test "$(dadm search -u kim mailbox "$sbox" seen | wc -l)" -eq 1
check "sync database intact" test "$(sqlite3 "$sp/heron.db" 'PRAGMA integrity_check')" = ok

# 6. A real server without the extensions (the same Dovecot on 127.0.0.2: no
#    MOVE, UIDPLUS, CONDSTORE, QRESYNC, ESEARCH, SPECIAL-USE). Sync, flags,
#    a move replayed after crashes around its COPY (never copied twice), and a
#    permanent delete: never a bare EXPUNGE (Dovecot counts "expunged=" per session).
nbox="Noext$marker"
ndest="NoextDest$marker"
for i in 1 2 3 4; do
  printf 'From: x@example.org\r\nTo: kim@example.org\r\nSubject: %s noext %s\r\nMessage-ID: <%s.noext%s@example.org>\r\n\r\nbody %s\r\n' \
    "$marker" "$i" "$marker" "$i" "$i" >"$work/noext$i.eml"
done
bash "$(dirname "$0")/../env/mailservers.sh" deliver "$HERON_TEST_DIR" kim -m "$nbox" "$work"/noext*.eml >/dev/null
dadm mailbox create -u kim "$ndest"
np=$work/noext
HERON_PASSWORD=secret-kim "$cli_bin" --profile "$np" account add --name kimx --email kim@example.org --protocol imap \
  --host "$HERON_TEST_IMAPS_NOEXT_HOST" --port "$HERON_TEST_IMAPS_NOEXT_PORT" --security tls --user kim \
  --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$np" trust add-ca "$HERON_TEST_CA" >/dev/null
log_at=$(stat -c %s "$HERON_TEST_DIR/dovecot.log")
"$cli_bin" --profile "$np" sync </dev/null >"$work/out" 2>&1
check "no-extension server: sync succeeds" test $? -eq 0
check "no-extension server: four messages listed" test "$("$cli_bin" --profile "$np" ls "$nbox" | grep -c "$marker noext")" -eq 4
first=$("$cli_bin" --profile "$np" ls "$nbox" | grep "$marker noext 1" | cut -f1)
"$cli_bin" --profile "$np" mark --read "$first" >/dev/null
"$cli_bin" --profile "$np" sync --folder "$nbox" </dev/null >/dev/null 2>&1
check "no-extension server: the read flag reached the server" test "$(dadm search -u kim mailbox "$nbox" seen subject "$marker noext 1" | wc -l)" -eq 1
n=2
for point in replay-copy-marked replay-copy-done; do
  id=$("$cli_bin" --profile "$np" ls "$nbox" | grep "$marker noext $n" | cut -f1)
  "$cli_bin" --profile "$np" move --to "$ndest" "$id" >/dev/null
  (HERON_CRASH_AT=$point "$cli_bin" --profile "$np" sync </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
  rc=$?
  check "no-extension move, $point: the process died there (exit $rc)" test "$rc" -eq 137
  "$cli_bin" --profile "$np" sync </dev/null >/dev/null 2>&1
  check "no-extension move, $point: the sync after the crash succeeds" test $? -eq 0
  check "no-extension move, $point: exactly one copy in the destination" \
    test "$(count_in kim "$ndest" "$marker noext $n")" -eq 1
  check "no-extension move, $point: the original is flagged deleted, not expunged" \
    test "$(dadm search -u kim mailbox "$nbox" deleted subject "$marker noext $n" | wc -l)" -eq 1
  check "no-extension move, $point: gone from the folder's list" \
    test "$("$cli_bin" --profile "$np" ls "$nbox" | grep -c "$marker noext $n")" -eq 0
  check "no-extension move, $point: nothing left queued" test -z "$("$cli_bin" --profile "$np" queue)"
  n=$((n + 1))
done
id=$("$cli_bin" --profile "$np" ls "$nbox" | grep "$marker noext 4" | cut -f1)
"$cli_bin" --profile "$np" delete --yes "$id" >/dev/null
"$cli_bin" --profile "$np" sync </dev/null >/dev/null 2>&1
check "no-extension delete: flagged deleted on the server" \
  test "$(dadm search -u kim mailbox "$nbox" deleted subject "$marker noext 4" | wc -l)" -eq 1
check "no-extension delete: gone from the list" test "$("$cli_bin" --profile "$np" ls "$nbox" | grep -c "$marker noext")" -eq 1
check "no-extension server: no message was ever expunged (no bare EXPUNGE)" \
  bash -c "tail -c +$((log_at + 1)) '$HERON_TEST_DIR/dovecot.log' | grep 'imap(kim)' | grep 'Disconnected' | grep -v 'expunged=0' | grep -q . && exit 1 || exit 0"
check "no-extension server: the sessions were really without MOVE" \
  bash -c "! python3 - '$HERON_TEST_IMAPS_NOEXT_PORT' '$HERON_TEST_CA' <<'PY' | grep -q MOVE
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
m = imaplib.IMAP4_SSL('127.0.0.2', int(sys.argv[1]), ssl_context=ctx)
m.login('kim', 'secret-kim')
print(m.capability()[1][0].decode())
m.logout()
PY"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
