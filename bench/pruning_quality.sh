#!/usr/bin/env bash
# Pruning quality on the embedded default (seed ConvNet, Fashion-MNIST, 10k test images):
#  1. iterative l1 weight pruning to 90% (global ranking, AGP, 5 steps x 2 fine-tune epochs at
#     lr 0.002, then 15 epochs of final fine-tuning with cosine decay)
#  2. l1 filter pruning of half the conv filters, 10 fine-tune epochs (lr 0.001, cosine)
#  3. random vs l1 (global ranking), one-shot without fine-tuning, at 50..95% sparsity
#   bench/pruning_quality.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${PRUNELAB_BUILD:-$root/build}/app/prunelab-cli"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
summary() {  # label json-file
    /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
r = json.loads(open(path).read().strip().splitlines()[-1])
acc, dense = r["accuracy"] * 100, r["dense_accuracy"] * 100
print(f"{label:44} sparsity {r['sparsity'] * 100:6.2f}%  accuracy {acc:6.2f}%  "
      f"dense {dense:6.2f}%  delta {acc - dense:+.2f} pp")
PY
}
# --val-fraction 0: fine-tune on the whole training split, as when these figures were recorded.
"$cli" prune default --val-fraction 0 --criterion l1 --rate 0.9 --global --schedule agp --steps 5 \
    --finetune-epochs 2 --final-finetune-epochs 15 --lr 0.002 --out "$work/a.pt" --json \
    2>/dev/null > "$work/a.json"
summary "l1 weight 90%, AGP 5x2 + 15 final epochs" "$work/a.json"
"$cli" prune default --val-fraction 0 --criterion l1 --granularity filter --rate 0.5 --finetune-epochs 10 \
    --lr 0.001 --lr-schedule cosine --out "$work/f.pt" --json 2>/dev/null > "$work/f.json"
summary "l1 filter 50% of conv filters, 10 epochs" "$work/f.json"
for s in 0.5 0.7 0.8 0.9 0.95; do
    for c in l1 random; do
        "$cli" prune default --criterion "$c" --rate "$s" --global --out "$work/o.pt" --json \
            2>/dev/null > "$work/o.json"
        summary "$c one-shot global $s, no fine-tune" "$work/o.json"
    done
done
