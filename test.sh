#!/usr/bin/env bash
# Sets everything up (Debian packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
# ./test.sh --sanitize: the same suite built with ASan + UBSan (scripts/sanitize.sh).
if [ "${1:-}" = "--sanitize" ]; then
    exec scripts/sanitize.sh
fi
source scripts/setup.sh
# The engine's folders form a strict stack and the window sees only the session API
# (docs/architecture.md); fail before the tests when an include breaks that.
python3 scripts/check_layers.py "$PRUNELAB_ROOT"
# Every C++ file as the committed .clang-format writes it (Debian's clang-format 14).
scripts/check_format.sh
cd "$PRUNELAB_BUILD"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
