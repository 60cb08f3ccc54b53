#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite: unit, GUI
# (offscreen) and integration tests against real Dovecot and Postfix that the
# suite starts on free loopback ports and stops afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh
cd build
ctest --output-on-failure --timeout 600 -j 2
