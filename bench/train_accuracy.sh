#!/usr/bin/env bash
# Accuracy of the default training settings: the seed ConvNet, 10 epochs of Fashion-MNIST,
# `prunelab-cli train convnet --data fashion-mnist --val-fraction 0 --epochs 10` with nothing else set.
# Prints test accuracy per epoch and the final figure (target: >= 0.900).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$build/app/prunelab-cli" train convnet --data fashion-mnist --val-fraction 0 --epochs 10 --out "$work/c.pt" --json \
    2>/dev/null | tail -1 > "$work/r.json"
/usr/bin/python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for e in r["epochs"]:
    print(f"epoch {e['epoch']:2d}  test accuracy {e['test_accuracy']:.4f}  ({e['seconds']:.1f} s)")
print(f"final test accuracy {r['accuracy']:.4f} after 10 epochs, {r['images_per_second']:.0f} images/s")
PY
