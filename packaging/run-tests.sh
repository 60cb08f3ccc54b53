#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite: unit, GUI
# (offscreen) and integration tests against real Dovecot and Postfix that the
# suite starts on free loopback ports and stops afterwards; then the same
# suite once more under ASan and UBSan, and every fuzz target for a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j 2)
bash packaging/run-sanitized-tests.sh
bash tests/fuzz/run.sh "${HERON_FUZZ_SECONDS:-60}"
