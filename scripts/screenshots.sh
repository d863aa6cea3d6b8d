#!/usr/bin/env bash
# Starts the real app under Xvfb, drives it through the README's states (default view, a dragged
# threshold, a finished sweep with two criteria, a fine-tune) and writes PNGs to
# docs/screenshots/. Needs Fashion-MNIST (Debian's dataset-fashion-mnist) and xvfb.
#   scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/screenshots}"
# shellcheck source=scripts/setup.sh
source "$root/scripts/setup.sh"
# A fresh settings folder: saved window layouts of earlier runs must not change the pictures.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
mkdir -p "$out"
XDG_CONFIG_HOME="$config" xvfb-run -a -s "-screen 0 1440x900x24 -dpi 96" \
    "$PRUNELAB_BUILD/app/prunelab-screenshots" "$out"
ls -l "$out"
