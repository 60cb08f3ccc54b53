#!/usr/bin/env bash
# Installs what is needed, builds, starts real Dovecot + Postfix on loopback with
# sample mail, configures a demo profile (an IMAP and a POP3 account) and opens Heron on it.
# Without a display it runs Heron under Xvfb and saves a screenshot instead.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash packaging/install-deps.sh
bash packaging/build.sh

servers=/tmp/heron-demo-servers
profile=${HERON_DEMO_PROFILE:-$top/build/demo-profile}
bash tests/env/mailservers.sh stop "$servers" >/dev/null 2>&1 || true
bash tests/env/mailservers.sh start "$servers"
trap 'bash "$top/tests/env/mailservers.sh" stop "$servers" >/dev/null 2>&1 || true' EXIT
bash tests/env/mailservers.sh seed-demo "$servers"
set -a; . "$servers/env"; set +a

rm -rf "$profile"
cli() { "$top/build/app/heron-cli" --profile "$profile" "$@"; }
# The demo servers use a private certificate authority: trust it for this profile only.
cli trust add-ca "$HERON_TEST_CA" >/dev/null
HERON_PASSWORD=secret-alice cli account add --name "Alice (IMAP)" --email alice@example.org --protocol imap \
  --host localhost --port "$HERON_TEST_IMAPS_PORT" --security tls --user alice \
  --smtp-host localhost --smtp-port "$HERON_TEST_SUBMISSIONS_PORT" --smtp-security tls \
  --store-password-in-profile </dev/null 2>/dev/null
HERON_PASSWORD=secret-bob cli account add --name "Bob (POP3)" --email bob@example.org --protocol pop3 \
  --host localhost --port "$HERON_TEST_POP3S_PORT" --security tls --user bob --pop3-policy leave \
  --smtp-host localhost --smtp-port "$HERON_TEST_SUBMISSION_PORT" --smtp-security starttls \
  --store-password-in-profile </dev/null 2>/dev/null
# Demo only: remember which window layout looks best on first start.
cat > "$profile/settings.ini" <<INI
[general]
markReadDelayMs=1500
INI

echo "Demo profile: $profile (servers in $servers; they stop when Heron closes)"
if [ -n "${DISPLAY:-}" ] && [ -z "${HERON_DEMO_SCREENSHOT:-}" ]; then
  "$top/build/app/heron" --profile "$profile"
else
  shot=${HERON_DEMO_SCREENSHOT:-$top/build/demo-screenshot.png}
  echo "No display: running Heron under Xvfb and saving a screenshot to $shot"
  xvfb-run -a -s "-screen 0 1280x860x24" "$top/build/app/heron" --profile "$profile" \
    --screenshot "$shot" --screenshot-delay "${HERON_DEMO_DELAY:-8000}"
  echo "Screenshot: $shot"
fi
