#!/usr/bin/env bash
# Sets everything up (Debian packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
cd "$PRUNELAB_BUILD"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
