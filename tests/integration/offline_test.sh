#!/usr/bin/env bash
# Offline reading, shown with heron-cli against the real Dovecot behind a relay
# that plays the network cable: after one sync, the cable is pulled and every
# message of the offline window (the default 90 days) opens and is found by
# search; an older one says clearly that it needs the network. A body download
# killed mid-way (a named crash point) resumes where it stopped and downloads
# nothing twice; --headers-only leaves the bodies for later.
# Usage: offline_test.sh HERON_CLI ENV_FILE
set -uo pipefail
cli_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$2"; set +a
. "$here/lib.sh"
work=$(mktemp -d)
relay_dir=$work/relay
cleanup() {
  touch "$relay_dir/stop" 2>/dev/null
  [ -n "${relay_pid:-}" ] && kill "$relay_pid" 2>/dev/null
  wait
  rm -rf "$work"
}
trap cleanup EXIT
unset DBUS_SESSION_BUS_ADDRESS

# olga's mail: 30 recent messages (3 with a 300 KB attachment: stored as
# files), 5 from 200 days ago, each with a word of its own.
mkdir -p "$work/mail"
recent=30
for i in $(seq 1 $recent); do
  d=$(date -R -d "-$((i % 20)) days")
  if [ $((i % 10)) -eq 0 ]; then
    {
      printf 'From: Petra Pan <petra@example.org>\r\nTo: olga@example.org\r\nSubject: photos %s\r\nDate: %s\r\n' "$i" "$d"
      printf 'Message-ID: <off%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n' "$i"
      printf -- '--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHier die Fotos vom Ausflug, uniqword%s\r\n' "$i"
      printf -- '--BB\r\nContent-Type: image/jpeg; name="ausflug%s.jpg"\r\nContent-Disposition: attachment; filename="ausflug%s.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n' "$i" "$i"
      head -c 300000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
      printf -- '--BB--\r\n'
    } > "$work/mail/r$i.eml"
  else
    printf 'From: Tester %s <t%s@example.org>\r\nTo: olga@example.org\r\nSubject: recent %s\r\nDate: %s\r\nMessage-ID: <off%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe from message %s, uniqword%s\r\n' \
      "$i" "$i" "$i" "$d" "$i" "$i" "$i" > "$work/mail/r$i.eml"
  fi
done
for i in 1 2 3 4 5; do
  printf 'From: Old Timer <old@example.org>\r\nTo: olga@example.org\r\nSubject: old %s\r\nDate: %s\r\nMessage-ID: <old%s@example.org>\r\n\r\nancient text oldword%s\r\n' \
    "$i" "$(date -R -d "-$((200 + i)) days")" "$i" "$i" > "$work/mail/o$i.eml"
done
bash "$here/../env/mailservers.sh" deliver "$HERON_TEST_DIR" olga "$work"/mail/*.eml >/dev/null

mkdir -p "$relay_dir"
python3 "$here/relay.py" "$HERON_TEST_IMAPS_PORT" "$relay_dir" &
relay_pid=$!
wait_until 10 test -f "$relay_dir/port" || { echo "relay did not start" >&2; exit 1; }
relay_port=$(cat "$relay_dir/port")

new_profile() { # dir
  HERON_PASSWORD=secret-olga "$cli_bin" --profile "$1" account add --name olga --email olga@example.org --protocol imap \
    --host localhost --port "$relay_port" --security tls --user olga --store-password-in-profile </dev/null >/dev/null 2>&1
  "$cli_bin" --profile "$1" trust add-ca "$HERON_TEST_CA" >/dev/null
}
cli() { "$cli_bin" --profile "$p" "$@"; }

# 1. One sync: headers, then the bodies of the window (30), not the old ones.
p=$work/p1
new_profile "$p"
cli sync </dev/null >"$work/out" 2>"$work/err"
check "sync succeeds ($(tail -c 300 "$work/err"))" test $? -eq 0
check "the 30 recent bodies are downloaded, not the 5 old ones ($(grep offline "$work/out"))" grep -q "offline olga: $recent bodies downloaded" "$work/out"
cli offline >"$work/status"
check "offline status: the last 90 days, 30 kept, nothing left ($(tr '\n' ' ' <"$work/status"))" \
  bash -c "grep -q 'the last 90 days, $recent messages kept offline' '$work/status' && grep -q 'still to download: 0' '$work/status'"
check "the attachments are files beside the database, not in it" \
  test "$(find "$p/bodies" -name '*.eml' | wc -l)" -eq 3
check "the database stays small (under 1 MB with 900 KB of attachments)" test "$(stat -c %s "$p/heron.db")" -lt 1048576

# 2. The cable is pulled.
touch "$relay_dir/stop"; kill "$relay_pid" 2>/dev/null; wait "$relay_pid" 2>/dev/null; relay_pid=
check "the relay is gone" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$relay_port) 2>/dev/null"
cli ls INBOX >"$work/ls"
check "the folder lists offline (35 messages)" test "$(wc -l <"$work/ls")" -eq 35
opened=0
for i in $(seq 1 $recent); do
  id=$(grep -P "\t(recent|photos) $i\t" "$work/ls" | cut -f1)
  if cli show "$id" </dev/null >"$work/show" 2>"$work/err" && grep -q "uniqword$i" "$work/show"; then opened=$((opened + 1)); fi
done
check "every recent message opens offline ($opened of $recent)" test "$opened" -eq "$recent"
grep -q "Grüße from message 1," <(cli show "$(grep -P "\trecent 1\t" "$work/ls" | cut -f1)" </dev/null)
check "offline bodies are decoded (quoted-printable UTF-8)" test $? -eq 0
old_id=$(grep -P "\told 1\t" "$work/ls" | cut -f1)
cli show "$old_id" </dev/null >/dev/null 2>"$work/err"
rc=$?
check "an old message (outside the window) needs the network: exit 3, not a crash (exit $rc)" test "$rc" -eq 3
check "and says so ($(head -c 200 "$work/err"))" grep -q "^error: " "$work/err"

# 3. Search offline: the index has the decoded text, attachment names and headers.
hits() { cli search "$@" | cut -f4 | sort | tr '\n' ','; }
check "a word of the text ($(hits uniqword7))" test "$(hits uniqword7)" = "recent 7,"
check "a word with diacritics, folded ($(hits gruße uniqword3))" test "$(hits gruße uniqword3)" = "recent 3,"
check "an attachment name ($(hits filename:ausflug20))" test "$(hits filename:ausflug20)" = "photos 20,"
check "from: and has:attachment ($(hits from:petra has:attachment | tr ',' ' '))" \
  test "$(hits from:petra has:attachment)" = "photos 10,photos 20,photos 30,"
check "headers of messages without a cached body ($(hits from:old subject:old | tr ',' ' '))" \
  test "$(hits from:old)" = "old 1,old 2,old 3,old 4,old 5,"
check "their text is not cached, so not found offline" test -z "$(hits oldword1)"
check "OR and negation" test "$(hits uniqword4 OR uniqword5 -subject:5)" = "recent 4,"
check "a phrase" test "$(hits '"fotos vom ausflug"' | tr -cd ',' | wc -c)" -eq 3
check "newest first" bash -c "cli() { '$cli_bin' --profile '$p' \"\$@\"; }; cli search from:old | cut -f2 | sort -r -c"
cli search nosuchwordanywhere >"$work/none" 2>&1
rc=$?
check "no hit: exit 0 and no output" bash -c "test $rc -eq 0 && test ! -s '$work/none'"
cli search 'before:' 'from:"unclosed' >/dev/null 2>"$work/err"
check "a malformed query is explained, not fatal" bash -c "test $? -eq 0 || grep -q '^note:' '$work/err'"

# 4. A body download killed mid-way resumes: a second cable for the next profiles.
rm -rf "$relay_dir"; mkdir -p "$relay_dir"
python3 "$here/relay.py" "$HERON_TEST_IMAPS_PORT" "$relay_dir" &
relay_pid=$!
wait_until 10 test -f "$relay_dir/port" || { echo "relay did not start" >&2; exit 1; }
relay_port=$(cat "$relay_dir/port")
p=$work/p2
new_profile "$p"
(HERON_CRASH_AT=bodies-batch-stored:2 "$cli_bin" --profile "$p" sync --batch 5 </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
rc=$?
check "the download died at the second batch (exit $rc)" test "$rc" -eq 137
check "two batches were kept ($(cli offline | head -1))" bash -c "cli() { '$cli_bin' --profile '$p' \"\$@\"; }; cli offline | grep -q ', 10 messages kept offline'"
cli sync --batch 5 </dev/null >"$work/out" 2>/dev/null
check "the next sync downloads only the rest ($(grep offline "$work/out"))" grep -q "offline olga: $((recent - 10)) bodies downloaded" "$work/out"
check "all 30 kept, nothing twice" bash -c "cli() { '$cli_bin' --profile '$p' \"\$@\"; }; cli offline | grep -q ', $recent messages kept offline'"
check "no orphan file after the crash" test "$(find "$p/bodies" -name '*.eml' | wc -l)" -eq 3

# 5. --headers-only: no body yet; the next full sync brings them.
p=$work/p3
new_profile "$p"
cli sync --headers-only </dev/null >"$work/out" 2>/dev/null
check "--headers-only downloads no body" bash -c "! grep -q 'bodies downloaded' '$work/out'"
check "and 30 stay to download" bash -c "cli() { '$cli_bin' --profile '$p' \"\$@\"; }; cli offline | grep -q 'still to download: $recent'"
cli offline all >/dev/null
cli sync </dev/null >"$work/out" 2>/dev/null
check "with 'all' every message is kept ($(grep offline "$work/out"))" grep -q "offline olga: $((recent + 5)) bodies downloaded" "$work/out"

echo "offline: $passes checks passed, $failures failed"
exit $((failures > 0))
