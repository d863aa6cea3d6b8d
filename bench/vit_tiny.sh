#!/usr/bin/env bash
# vit-tiny on Fashion-MNIST (issue 14): dense accuracy of PruneLab's training and of the PyTorch
# twin (docs/pytorch_models.py) with the same recipe (Adam 0.002, cosine, batch 64, 10 epochs),
# then head/neuron pruning, Wanda vs magnitude, and 2:4.
#   bench/vit_tiny.sh [WORK]    WORK keeps the checkpoints (default: a temporary folder);
#                               a WORK/vit.pt from an earlier run is reused, not retrained.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${PRUNELAB_BUILD:-$root/build}/app/prunelab-cli"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
epochs="${EPOCHS:-10}"
# value KEY: the number under KEY in the JSON object on stdin's last line.
value() { tail -1 | /usr/bin/python3 -c "import json,sys; print(f'{json.load(sys.stdin)[sys.argv[1]]:.4f}')" "$1"; }

if [ ! -f "$work/vit.pt" ]; then
    start=$(date +%s)
    "$cli" train vit-tiny --data fashion-mnist --val-fraction 0 --epochs "$epochs" \
        --out "$work/vit.pt" --json 2>/dev/null >"$work/train.json"
    echo "prunelab  vit-tiny dense: test accuracy $(value accuracy <"$work/train.json")"
    echo "           ($(( $(date +%s) - start )) s)"
    start=$(date +%s)
    /usr/bin/python3 "$root/bench/train_reference.py" --model vit-tiny --epochs "$epochs" \
        --loader slices >"$work/reference.json"
    echo "pytorch   vit-tiny dense: test accuracy $(value test_accuracy <"$work/reference.json")"
    echo "           ($(( $(date +%s) - start )) s)"
fi
