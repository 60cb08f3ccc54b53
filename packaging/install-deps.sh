#!/usr/bin/env bash
# Installs everything Heron needs to build, test and run its demo on Debian 12.
# Run as root. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it uses apt-get)" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  ca-certificates g++ cmake ninja-build pkg-config ccache make clang libclang-rt-14-dev \
  qt6-base-dev qt6-base-dev-tools libqt6svg6 libqt6sql6-sqlite qtkeychain-qt6-dev \
  libvmime-dev libgnutls28-dev libsqlite3-dev \
  dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix \
  openssl python3 sqlite3 procps dbus dbus-user-session gnome-keyring libsecret-tools psmisc iproute2 \
  xvfb xauth x11-utils imagemagick fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji \
  > /dev/null
# The distribution starts no daemons here (no systemd in containers); our
# tests and the demo start private instances on loopback.
echo "install-deps.sh: done"
