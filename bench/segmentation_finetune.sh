#!/usr/bin/env bash
# A segmentation model pruned and recovered without labels (issue 13): torchvision's
# lraspp_mobilenet_v3_large (10 classes, random weights, BatchNorm statistics settled on the data;
# scripted in Python; a dict output) and 1,280 unlabelled 3x64x64 inputs saved from Python
# (tensors:FILE: 20% test, 10% of the rest validation). 30% of every channel group pruned by l1,
# then fine-tuned by output matching (mean squared error to the dense model's outputs). Reports
# output fidelity to the dense model on the test inputs (relative L2 error, cosine) without
# fine-tuning and after EPOCHS epochs, for three fine-tuning seeds.
# Adam at a constant LR (3e-4; 1e-3 overshoots on this random-weight model: fidelity got worse).
#   bench/segmentation_finetune.sh [EPOCHS (10)] [RATE (0.3)] [LR (0.0003)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
epochs="${1:-10}"
rate="${2:-0.3}"
lr="${3:-0.0003}"
cmake --build "$build" --target prunelab-cli > /dev/null
cli="$build/app/prunelab-cli"
py=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
$py "$root/bench/segmentation_finetune.py" "$work/lraspp.pt" "$work/inputs.pt"
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }
common=(--data "tensors:$work/inputs.pt" --granularity filter --criterion l1 --rate "$rate")
echo "lraspp_mobilenet_v3_large, $rate of every channel group (l1), unlabelled inputs"
"$cli" prune "$work/lraspp.pt" "${common[@]}" --out "$work/pruned.pt" --json 2> /dev/null \
    | show "f'no fine-tuning:        relative L2 error {j[\"loss\"]:.4f}, cosine {j[\"accuracy\"]:.4f} ({j[\"metric\"]})'"
for seed in 0 1 2; do
    "$cli" prune "$work/lraspp.pt" "${common[@]}" --finetune-epochs "$epochs" --lr "$lr" \
        --seed "$seed" --out "$work/tuned.pt" --json 2> /dev/null \
        | show "f'{$epochs} epochs, seed $seed: relative L2 error {j[\"loss\"]:.4f}, cosine {j[\"accuracy\"]:.4f}'"
done
