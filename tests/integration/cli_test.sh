#!/usr/bin/env bash
# heron-cli against the real test servers: the contract scripts rely on
# (output lines, exit codes), certificate and password failures, offline
# queueing and replay. Usage: cli_test.sh HERON_CLI ENV_FILE
set -uo pipefail
cli_bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile=$work/profile
failures=0
passes=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}
cli() { "$cli_bin" --profile "$profile" "$@"; }

# Fresh mailbox content for carol, so this test owns its data.
box="Cli$RANDOM$RANDOM"
for i in 1 2 3; do
  printf 'From: Tester %s <t%s@example.org>\r\nTo: carol@example.org\r\nSubject: cli message %s\r\nDate: Mon, 2 Feb 2026 10:0%s:00 +0000\r\nMessage-ID: <cli%s.%s@example.org>\r\n\r\nbody %s\r\n' \
    "$i" "$i" "$i" "$i" "$i" "$box" "$i" > "$work/m$i.eml"
done
bash "$(dirname "$0")/../env/mailservers.sh" deliver "$HERON_TEST_DIR" carol -m "$box" "$work"/m*.eml >/dev/null

# 1. Untrusted certificate: exit 5, the fingerprint is shown, nothing synced.
HERON_PASSWORD=secret-carol cli account add --name carol --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user carol </dev/null >/dev/null
HERON_PASSWORD=secret-carol cli sync --folder "$box" </dev/null >"$work/out" 2>"$work/err"
check "untrusted certificate gives exit 5" test $? -eq 5
check "certificate error names the SHA-256" grep -q "SHA-256" "$work/err"
check "password never printed" bash -c "! grep -q secret-carol '$work/err' '$work/out'"
# A pin is for one certificate: another one asks again, with both fingerprints.
old=$(printf 'AB:%.0s' $(seq 31))AB
cli trust pin --host localhost --port "$HERON_TEST_IMAPS_PORT" --sha256 "$old" >/dev/null
HERON_PASSWORD=secret-carol cli sync --folder "$box" </dev/null >"$work/out" 2>"$work/err"
check "a changed certificate gives exit 5" test $? -eq 5
check "a changed certificate names the one trusted before" grep -q "trusted before: $old" "$work/err"
check "a changed certificate says so" grep -q "changed since you trusted it" "$work/err"

# SNI: Dovecot presents sni.pem only to a client that names "localhost" in
# the TLS handshake (vmime alone never does). A profile that trusts exactly
# that certificate (a pin, no CA) can sync only if Heron sent the name; the
# same over POP3S.
sni=$(openssl x509 -in "$HERON_TEST_DIR/sni.pem" -noout -fingerprint -sha256 | cut -d= -f2)
for proto in imap pop3; do
  psni=$work/sni-$proto
  if [ "$proto" = imap ]; then sport=$HERON_TEST_IMAPS_PORT; else sport=$HERON_TEST_POP3S_PORT; fi
  "$cli_bin" --profile "$psni" trust pin --host localhost --port "$sport" --sha256 "$sni" >/dev/null
  HERON_PASSWORD=secret-carol "$cli_bin" --profile "$psni" account add --name carol --email carol@example.org --protocol $proto \
    --host localhost --port "$sport" --security tls --user carol --store-password-in-profile </dev/null >/dev/null 2>&1
  "$cli_bin" --profile "$psni" sync --folder INBOX </dev/null >"$work/out" 2>"$work/err"
  check "$proto: the server name is sent (SNI): the certificate for it is presented ($(head -c 200 "$work/err"))" test $? -eq 0
done

# 2. Trust the test CA for this profile; wrong password: exit 4.
cli trust add-ca "$HERON_TEST_CA" >/dev/null
HERON_PASSWORD=wrong cli sync --folder "$box" </dev/null >/dev/null 2>"$work/err"
check "wrong password gives exit 4" test $? -eq 4

# 3. Sync: summary line, listing, show.
HERON_PASSWORD=secret-carol cli sync --folder "$box" </dev/null >"$work/out" 2>/dev/null
check "sync succeeds" test $? -eq 0
check "summary reports 3 new" grep -q "3 new" "$work/out"
cli ls "$box" >"$work/ls"
check "ls lists 3 messages" test "$(wc -l <"$work/ls")" -eq 3
check "ls is newest first" bash -c "head -1 '$work/ls' | grep -q 'cli message 3'"
check "ls shows unread as -" bash -c "head -1 '$work/ls' | awk -F'\t' '{exit !(\$5==\"-\")}'"
id=$(head -1 "$work/ls" | cut -f1)
HERON_PASSWORD=secret-carol cli show "$id" </dev/null >"$work/show"
check "show prints the body" grep -q "body 3" "$work/show"
check "show prints the subject" grep -q "Subject: cli message 3" "$work/show"

# 4. Offline change queued, replayed once on the next sync, visible to another sync.
cli mark --read "$id" >/dev/null
check "queued change listed" bash -c "cli() { '$cli_bin' --profile '$profile' \"\$@\"; }; cli queue | grep -q 'flags+'"
HERON_PASSWORD=secret-carol cli sync --folder "$box" </dev/null >"$work/out" 2>/dev/null
check "sync sends the queued change" grep -q "1 queued changes sent" "$work/out"
check "queue is empty afterwards" test -z "$(cli queue)"
profile2=$work/profile2
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$profile2" account add --name carol --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAP_PORT" --security starttls --user carol </dev/null >/dev/null
"$cli_bin" --profile "$profile2" trust add-ca "$HERON_TEST_CA" >/dev/null
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$profile2" sync --folder "$box" </dev/null >/dev/null 2>&1
check "another device sees the read flag" bash -c "'$cli_bin' --profile '$profile2' ls '$box' | grep 'cli message 3' | grep -q seen"

# 5. Server gone: exit 3 (offline), cache still readable.
cli account add --name dead --email d@example.org --protocol imap --host 127.0.0.1 --port 1 --security tls --user d </dev/null >/dev/null 2>&1
HERON_PASSWORD=x cli sync --account dead </dev/null >/dev/null 2>&1
check "unreachable server gives exit 3" test $? -eq 3
check "cache readable offline" test "$(cli ls --account carol "$box" | wc -l)" -eq 3

# 6. Usage errors: exit 1; unknown message: exit 2.
cli account add --name x </dev/null >/dev/null 2>&1
check "incomplete account add gives exit 1" test $? -eq 1
cli show 999999 >/dev/null 2>&1
check "unknown message gives exit 2" test $? -eq 2

# 7. kill -9 in the middle of a big sync, several times: the next run completes
#    the cache, nothing lost, nothing doubled, the database intact.
bash "$(dirname "$0")/../env/mailservers.sh" make-bulk "$HERON_TEST_DIR" carol 6000 >/dev/null 2>&1
kp=$work/killed
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$kp" account add --name carol --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user carol --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$kp" trust add-ca "$HERON_TEST_CA" >/dev/null
# The reference profile syncs first: that also warms Dovecot's cache, so the kills land mid-sync.
kr=$work/reference
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$kr" account add --name carol --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user carol --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$kr" trust add-ca "$HERON_TEST_CA" >/dev/null
"$cli_bin" --profile "$kr" sync --folder INBOX </dev/null >/dev/null 2>&1
# Kill when the progress lines (stderr, "  cached/total" per committed batch)
# show the sync has reached a given point: mid-sync by construction, not by timing.
for target in 500 1500 3000 4500; do
  "$cli_bin" --profile "$kp" sync --folder INBOX --batch 20 </dev/null >/dev/null 2>"$work/progress" &
  pid=$!
  for _ in $(seq 1 500); do
    reached=$(awk -F/ '/^  [0-9]+\/[0-9]+$/ {n=$1+0} END {print n+0}' "$work/progress")
    [ "$reached" -ge "$target" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
partial=$("$cli_bin" --profile "$kp" ls INBOX | wc -l)
"$cli_bin" --profile "$kp" sync --folder INBOX </dev/null >/dev/null 2>&1
check "sync after kills succeeds" test $? -eq 0
expected=$("$cli_bin" --profile "$kr" ls INBOX | wc -l)
got=$("$cli_bin" --profile "$kp" ls INBOX | wc -l)
check "killed syncs resumed to the full mailbox ($partial cached before, $got after, $expected expected)" test "$got" -eq "$expected"
check "at least 6000 messages compared" test "$expected" -ge 6000
check "the kills interrupted a sync in progress ($partial of $expected cached)" test "$partial" -gt 0 -a "$partial" -lt "$expected"
check "no message twice" test "$("$cli_bin" --profile "$kp" ls INBOX | cut -f2- | sort | uniq -d | wc -l)" -eq 0
check "database intact after kill -9" test "$(sqlite3 "$kp/heron.db" 'PRAGMA integrity_check')" = ok

# 8. POP3 account: download into local folders, readable offline.
pp=$work/pop
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$pp" account add --name carolpop --email carol@example.org --protocol pop3 \
  --host localhost --port "$HERON_TEST_POP3S_PORT" --security tls --user carol --pop3-policy leave \
  --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$pp" trust add-ca "$HERON_TEST_CA" >/dev/null
"$cli_bin" --profile "$pp" sync </dev/null >"$work/out" 2>/dev/null
check "POP3 sync succeeds" test $? -eq 0
check "POP3 sync reports downloads" grep -q " new, 0 deleted on the server" "$work/out"
check "POP3 messages listed locally" test "$("$cli_bin" --profile "$pp" ls INBOX | wc -l)" -ge 6000
check "POP3 folders are local" bash -c "'$cli_bin' --profile '$pp' folders | grep -q '^Trash'"
"$cli_bin" --profile "$pp" sync </dev/null >"$work/out" 2>/dev/null
check "second POP3 sync downloads nothing" grep -q "synced carolpop: 0 new" "$work/out"
"$cli_bin" --profile "$pp" account add --name badpop --email x@example.org --protocol pop3 --host localhost \
  --port 1 --security tls --user x --pop3-policy sometimes </dev/null >/dev/null 2>&1
check "invalid POP3 policy gives exit 1" test $? -eq 1

# 10. Sending from the command line: sent, refused address, offline queue.
sp=$work/send
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$sp" account add --name carol --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user carol \
  --smtp-host localhost --smtp-port "$HERON_TEST_SUBMISSIONS_PORT" --smtp-security tls --store-password-in-profile </dev/null >/dev/null 2>&1
"$cli_bin" --profile "$sp" trust add-ca "$HERON_TEST_CA" >/dev/null
echo "hello from the cli" > "$work/att.txt"
echo "body" | "$cli_bin" --profile "$sp" send --to bob@example.org --subject "cli send $box" --attach "$work/att.txt" >"$work/out" 2>&1
check "send succeeds" test $? -eq 0
check "send reports sent" grep -q "^sent" "$work/out"
echo "body" | "$cli_bin" --profile "$sp" send --to "not an address" --subject x >/dev/null 2>&1
check "invalid address gives exit 1" test $? -eq 1
HERON_PASSWORD=secret-carol "$cli_bin" --profile "$sp" account add --name carol-off --email carol@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user carol \
  --smtp-host 127.0.0.1 --smtp-port 1 --smtp-security tls --store-password-in-profile </dev/null >/dev/null 2>&1
echo "body" | "$cli_bin" --profile "$sp" send --account carol-off --to bob@example.org --subject offline >/dev/null 2>&1
check "offline send gives exit 3" test $? -eq 3
check "offline message waits in the outbox" bash -c "'$cli_bin' --profile '$sp' outbox --account carol-off | grep -q queued"

# 9. POP3 killed mid-download: see trust_test.sh (named crash points instead of timed kills).

# account discover: nothing published for this domain and nothing answering its
# usual ports (the wizard's engine is tested against real DNS/HTTPS stand-ins in
# tst_autodiscovery); the user is told what was tried and to enter it by hand.
"$cli_bin" --profile "$work/pdisc" account discover nobody@nothing-here.invalid >"$work/out" 2>"$work/err"
check "discover with nothing found gives exit 2" test $? -eq 2
check "discover says what it tried" grep -q "autoconfig.nothing-here.invalid" "$work/err"
check "discover asks for manual settings" grep -q "enter it by hand" "$work/err"
check "discover prints not found" grep -q "incoming: not found" "$work/out"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
