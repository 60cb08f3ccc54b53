#!/usr/bin/env bash
# The hostile message corpus (tests/hostile/make_corpus.py) delivered to the
# real Dovecot, then read by heron-cli over IMAP (the server's ENVELOPE) and
# over POP3 (raw headers): every message syncs and shows without a crash or a
# hang, in at most 300 MB, with a note when it is malformed; forged senders
# show the real address on both paths; the account still works afterwards.
# Usage: hostile_messages_test.sh HERON_CLI ENV_FILE
set -uo pipefail
cli_bin=$1
set -a; . "$2"; set +a
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset DBUS_SESSION_BUS_ADDRESS
max_mb=${HERON_MAX_RSS_MB:-300}
measure() { # what, profile, heron-cli arguments: sets rc, mb; output in $work/out, $work/err
  local what=$1 prof=$2; shift 2
  HERON_PASSWORD=secret-nora python3 "$here/maxrss.py" 120 "$work/rss" "$cli_bin" --profile "$prof" "$@" \
    </dev/null >"$work/out" 2>"$work/err"
  read -r rc mb <"$work/rss"
  check "$what: no crash, no hang (exit $rc)" test "$rc" -lt 124
  check "$what: at most $max_mb MB (used $mb MB)" test "$mb" -le "$max_mb"
}

python3 "$here/../hostile/make_corpus.py" "$work/corpus" >/dev/null
count=$(ls "$work/corpus"/*.eml | wc -l)
# A fresh INBOX for nora: the corpus only.
doveadm_env() { bash "$here/../env/mailservers.sh" "$@"; }
doveadm_env deliver "$HERON_TEST_DIR" nora "$work/corpus"/*.eml >/dev/null

for proto in imap pop3; do
  prof=$work/$proto
  if [ "$proto" = imap ]; then
    args=(--protocol imap --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls)
  else
    args=(--protocol pop3 --host localhost --port "$HERON_TEST_POP3S_PORT" --security tls --pop3-policy leave)
  fi
  "$cli_bin" --profile "$prof" trust add-ca "$HERON_TEST_CA" >/dev/null
  HERON_PASSWORD=secret-nora "$cli_bin" --profile "$prof" account add --name nora --email nora@example.org \
    --user nora "${args[@]}" --store-password-in-profile </dev/null >/dev/null
  measure "$proto sync" "$prof" sync
  check "$proto sync succeeds (exit $rc: $(head -c 300 "$work/err"))" test "$rc" -eq 0
  "$cli_bin" --profile "$prof" ls INBOX >"$work/$proto.ls"
  check "$proto: all $count messages listed" test "$(grep -c 'hostile [0-9][0-9] ' "$work/$proto.ls")" -eq "$count"
  slowest=0
  while IFS=$'\t' read -r id _ from subject _; do
    name=${subject#hostile ?? }
    start=$SECONDS
    measure "$proto show $name" "$prof" show "$id"
    [ $((SECONDS - start)) -gt "$slowest" ] && slowest=$((SECONDS - start))
    check "$proto show $name succeeds (exit $rc)" test "$rc" -eq 0
    case $name in
      nest-*|part-bomb|header-bomb)
        check "$proto show $name: says what is wrong ($(head -c 200 "$work/err"))" grep -q "^note: .*\(nested\|parts\|malformed\)" "$work/err" ;;
      html-unclosed)
        check "$proto show $name: the text before the trap is shown" grep -q "html trap" "$work/out" ;;
      truncated-multipart)
        check "$proto show $name: the text part is shown" grep -q "truncated part text" "$work/out" ;;
      forged-*)
        check "$proto show $name: From has the real address ($(grep '^From:' "$work/out"))" \
          grep -q "^From: .*\(<evil@attacker.example>\|a@b@evil.example (invalid address)\|<real@x.example>\)" "$work/out" ;;
    esac
  done <"$work/$proto.ls"
  echo "$proto: slowest show took ${slowest} s"
  line() { grep -F "$1" "$work/$proto.ls" | cut -f3; }
  check "$proto list: a name that is an address shows the real one ($(line forged-name-is-address))" \
    grep -q "<evil@attacker.example>" <(line forged-name-is-address)
  check "$proto list: an undecodable name shows the real address ($(line forged-undecodable))" \
    grep -q "<evil@attacker.example>" <(line forged-undecodable)
  check "$proto list: a@b@evil.example is shown whole and marked ($(line forged-two-ats))" \
    grep -q "a@b@evil.example (invalid address)" <(line forged-two-ats)
  check "$proto list: the encoded address after the real one is not the sender ($(line forged-encoded-angle))" \
    bash -c "! grep -q 'boss@corp' <<<'$(line forged-encoded-angle)'"
  check "$proto list: a bidi override shows the real address ($(line forged-bidi))" \
    grep -q "<evil@attacker.example>" <(line forged-bidi)
  # Still usable: a normal message arrives on the next sync.
  printf 'From: After <after@example.org>\r\nTo: nora@example.org\r\nSubject: after the corpus %s\r\nDate: Mon, 2 Feb 2026 11:00:00 +0000\r\n\r\nfine\r\n' "$proto" >"$work/after.eml"
  doveadm_env deliver "$HERON_TEST_DIR" nora "$work/after.eml" >/dev/null
  measure "$proto sync after" "$prof" sync
  check "$proto: the account still syncs (exit $rc)" test "$rc" -eq 0
  check "$proto: the next message arrives" grep -q "after the corpus $proto" <("$cli_bin" --profile "$prof" ls INBOX)
done
# The same sender text on both paths (one parser, whatever the server split).
for name in forged-name-is-address forged-undecodable forged-encoded-angle forged-bidi; do
  check "$name: the list shows the same sender over IMAP and POP3" \
    test "$(grep -F "$name" "$work/imap.ls" | cut -f3)" = "$(grep -F "$name" "$work/pop3.ls" | cut -f3)"
done
echo "hostile messages: $passes checks passed, $failures failed"
[ "$failures" -eq 0 ]
