#!/usr/bin/env bash
# Sets everything up (Debian packages, build) and starts PruneLab on its embedded default:
# the window when a display is available, otherwise the command-line demo.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec "$PRUNELAB_BUILD/app/prunelab" "$@"
fi
echo "run.sh: no display; running prunelab-cli demo (set DISPLAY to open the window)" >&2
exec "$PRUNELAB_BUILD/app/prunelab-cli" demo "$@"
