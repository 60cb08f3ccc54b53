#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring
# (a Secret Service for QtKeychain). Usage: with-keyring.sh COMMAND...
set -euo pipefail
export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
trap 'rm -rf "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"' EXIT
exec dbus-run-session -- bash -c 'printf heron-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' keyring "$@"
