#!/usr/bin/env bash
# Remakes resources/default_convnet.pt, the trained seed ConvNet the GUI and `demo` open on:
# 10 epochs of Fashion-MNIST with the CLI's default settings, seed 1, two data-parallel shards
# (the result is deterministic for a seed and thread count). Then rebuild to embed it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake --build "$build" --target prunelab-cli
"$build/app/prunelab-cli" train convnet --data fashion-mnist --val-fraction 0 --epochs 10 --seed 1 --threads 2 \
    --out "$root/resources/default_convnet.pt" --json | tail -1
cmake --build "$build"
