#!/usr/bin/env bash
# Builds a 100,000-message INBOX in a loopback Dovecot and prints, for Heron,
# for a peer measured in the same run (vmime used the straightforward way, in
# batches of 2,000) and for the protocol floor (one raw UID FETCH 1:*):
# time to first screen, full header sync, re-sync with nothing changed, peak
# RSS, offline first paint, scrolling and quick filter. A tool, not a test.
# Usage: tests/bench/run-bench.sh [COUNT]   (build first: packaging/build.sh)
set -euo pipefail
export QT_QPA_PLATFORM=offscreen
cd "$(dirname "$0")/../.."
top=$PWD
count=${1:-100000}
bin=$top/build/tests/heron-bench
cli=$top/build/app/heron-cli
dir=/tmp/heron-bench-servers
[ -x "$bin" ] || { echo "build first (packaging/build.sh)"; exit 1; }
bash tests/env/mailservers.sh stop "$dir" >/dev/null 2>&1 || true
bash tests/env/mailservers.sh start "$dir" >/dev/null
trap 'bash "$top/tests/env/mailservers.sh" stop "$dir" >/dev/null 2>&1 || true' EXIT
echo "building a $count-message INBOX..."
bash tests/env/mailservers.sh make-bulk "$dir" alice "$count" >/dev/null
set -a; . "$dir/env"; set +a

profile() { # fresh profile with the alice account
  local p=$1
  rm -rf "$p"
  "$cli" --profile "$p" trust add-ca "$HERON_TEST_CA" >/dev/null
  HERON_PASSWORD=secret-alice "$cli" --profile "$p" account add --name alice --email alice@example.org \
    --protocol imap --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user alice \
    --store-password-in-profile </dev/null >/dev/null 2>&1
}
floor() { python3 tests/bench/floor.py localhost "$HERON_TEST_IMAPS_PORT" "$HERON_TEST_CA" alice secret-alice; }
val() { sed -n "s/.*\b$2=\([0-9-]*\).*/\1/p" <<<"$1"; }

HERON_ITEMS="UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODY.PEEK[HEADER.FIELDS (FROM REFERENCES CONTENT-TYPE)]"
floor_heron_items() { python3 tests/bench/floor.py localhost "$HERON_TEST_IMAPS_PORT" "$HERON_TEST_CA" alice secret-alice "$HERON_ITEMS"; }
echo "warming Dovecot's cache (it parses each message file on first access)..."
floor >/dev/null; floor >/dev/null; floor_heron_items >/dev/null; floor_heron_items >/dev/null
F=$(floor)
FH=$(floor_heron_items)
profile /tmp/heron-bench-p1
H=$("$bin" sync /tmp/heron-bench-p1 alice)
R=$("$bin" sync /tmp/heron-bench-p1 alice)
profile /tmp/heron-bench-p2
V=$("$bin" vmime-batched /tmp/heron-bench-p2 alice 2000)
F2=$(floor)
G=$(QT_QPA_PLATFORM=offscreen "$bin" gui-open /tmp/heron-bench-p1)

# Bodies: every message for offline use, from profiles with the headers cached.
floor_bodies() { python3 tests/bench/floor.py localhost "$HERON_TEST_IMAPS_PORT" "$HERON_TEST_CA" alice secret-alice "UID BODY.PEEK[]"; }
floor_bodies >/dev/null
FB=$(floor_bodies)
for v in noindex index; do rm -rf /tmp/heron-bench-b-$v; cp -a /tmp/heron-bench-p1 /tmp/heron-bench-b-$v; done
BN=$("$bin" bodies /tmp/heron-bench-b-noindex alice noindex)
BI=$("$bin" bodies /tmp/heron-bench-b-index alice)
FB2=$(floor_bodies)
VB=$("$bin" vmime-bodies /tmp/heron-bench-p2 alice 2000)
S=$("$bin" search /tmp/heron-bench-b-index)
X=$("$bin" extract /tmp/heron-bench-b-index)
GI=$(QT_QPA_PLATFORM=offscreen "$bin" gui-open /tmp/heron-bench-b-index)
T=$("$bin" threads /tmp/heron-bench-p1)
GT=$(QT_QPA_PLATFORM=offscreen "$bin" gui-open /tmp/heron-bench-p1 threads)

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2fx' % (a/b) if b>0 else '-')" "$1" "$2"; }
floor_ms=$(( ( $(val "$F" fetch_ms) + $(val "$F2" fetch_ms) ) / 2 ))
echo
echo "== $count messages, Dovecot warm, loopback IMAPS =="
echo "protocol floor (one UID FETCH 1:*, raw bytes): first byte $(val "$F" first_byte_ms) ms, whole reply ${floor_ms} ms (runs: $(val "$F" fetch_ms), $(val "$F2" fetch_ms))"
echo "the same with the items Heron asks for (+INTERNALDATE, References, Content-Type): $(val "$FH" fetch_ms) ms"
printf '%-34s %12s %12s %12s\n' "" "Heron" "vmime/2000" "floor"
printf '%-34s %9s ms %9s ms %9s ms\n' "first screen of headers" "$(val "$H" first_screen_ms)" "$(val "$V" first_screen_ms)" "$(val "$F" first_byte_ms)"
printf '%-34s %9s ms %9s ms %9s ms\n' "full header sync" "$(val "$H" total_ms)" "$(val "$V" total_ms)" "$floor_ms"
printf '%-34s %12s %12s\n' "  ratio to floor" "$(ratio "$(val "$H" total_ms)" "$floor_ms")" "$(ratio "$(val "$V" total_ms)" "$floor_ms")"
printf '%-34s %9s MB %9s MB\n' "peak RSS of the sync" "$(( $(val "$H" peak_rss_kb) / 1024 ))" "$(( $(val "$V" peak_rss_kb) / 1024 ))"
printf '%-34s %9s ms\n' "re-sync, nothing changed" "$(val "$R" total_ms)"
echo "offline start with $count cached: $G"

fbody_ms=$(( ( $(val "$FB" fetch_ms) + $(val "$FB2" fetch_ms) ) / 2 ))
n_bodies=$(val "$BI" downloaded)
vmime_projected=$(( $(val "$VB" total_ms) * n_bodies / 2000 ))
echo
echo "== bodies for offline use: $n_bodies messages, $(( $(val "$BI" bytes) / 1048576 )) MB =="
printf '%-34s %9s ms   (%s of the floor)\n' "floor: UID FETCH 1:* BODY.PEEK[]" "$fbody_ms" "1.00x"
printf '%-34s %9s ms   (%s)\n' "Heron, without indexing" "$(val "$BN" total_ms)" "$(ratio "$(val "$BN" total_ms)" "$fbody_ms")"
printf '%-34s %9s ms   (%s); indexing adds %s\n' "Heron, with the index" "$(val "$BI" total_ms)" "$(ratio "$(val "$BI" total_ms)" "$fbody_ms")" \
  "$(python3 -c "import sys; print('%.0f%%' % (100*(float(sys.argv[1])/float(sys.argv[2])-1)))" "$(val "$BI" total_ms)" "$(val "$BN" total_ms)")"
printf '%-34s %9s ms   (one core, of %s ms reading them back)\n' "  of which: text for the index" "$(val "$X" extract_ms)" "$(val "$X" read_ms)"
printf '%-34s %9s ms   (%s; measured on 2,000: %s ms)\n' "vmime extract(), one by one" "~$vmime_projected" "$(ratio "$vmime_projected" "$fbody_ms")" "$(val "$VB" total_ms)"
printf '%-34s %9s MB (bodies over 100 KB are files beside it)\n' "database size" "$(( $(val "$BI" db_bytes) / 1048576 ))"
echo "peak RSS of the body download: $(( $(val "$BI" peak_rss_kb) / 1024 )) MB"
echo "index: $(( $(val "$S" index_bytes) / 1048576 )) MB for $(( $(val "$S" text_bytes) / 1048576 )) MB of text ($(ratio "$(val "$S" index_bytes)" "$(val "$S" text_bytes)") of the text)"
grep '^query=' <<<"$S" | sed 's/^query=/  query /'
echo "offline start with the index: $GI"

echo
echo "== conversations: $(val "$T" messages) messages, $(val "$T" conversations) conversations ($(val "$T" multi) of 2 or more, the largest $(val "$T" largest)) =="
printf '%-34s %9s ms   (%s ms for 1,000 new ones)\n' "placing every message" "$(val "$T" place_ms)" "$(val "$T" new1000_ms)"
printf '%-34s %9s ms   (floor: the plain list, %s ms: %s)\n' "threaded list open ($(val "$T" threaded_rows) rows)" "$(val "$T" threaded_open_ms)" \
  "$(val "$T" flat_open_ms)" "$(ratio "$(val "$T" threaded_open_ms)" "$(val "$T" flat_open_ms)")"
printf '%-34s %9s ms\n' "expanding the largest" "$(val "$T" expand_largest_ms)"
printf '%-34s %9s ms   (peer: JWZ over the whole folder on open; Heron %s of it)\n' "rebuild on open" "$(val "$T" rebuild_ms)" \
  "$(ratio "$(val "$T" threaded_open_ms)" "$(val "$T" rebuild_ms)")"
echo "kept for it: $(( $(val "$T" thread_ids_bytes) / 1024 )) KB; offline start threaded: $GT"
