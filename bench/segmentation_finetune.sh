#!/usr/bin/env bash
# A segmentation model pruned and recovered without labels (issue 13): torchvision's
# lraspp_mobilenet_v3_large (10 classes, random weights, scripted in Python; a dict output), 30%
# of every channel group pruned by l1, then fine-tuned by output matching (mean squared error to
# the dense model's outputs) on synthetic 3x64x64 inputs. Reports output fidelity to the dense
# model on held-out inputs (relative L2 error, cosine) without fine-tuning and after N epochs,
# for three fine-tuning seeds.
#   bench/segmentation_finetune.sh [EPOCHS (5)] [TRAIN (1024)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
epochs="${1:-5}"
train="${2:-1024}"
cmake --build "$build" --target prunelab-cli > /dev/null
cli="$build/app/prunelab-cli"
py=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
$py "$root/bench/torchvision_zoo.py" make segmentation.lraspp_mobilenet_v3_large "$work/lraspp.pt" > /dev/null
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }
common=(--data synthetic --train-limit "$train" --test-limit 256 --granularity filter
        --criterion l1 --rate 0.3)
echo "lraspp_mobilenet_v3_large, 30% of filters, $train training inputs, 256 held-out (test split)"
"$cli" prune "$work/lraspp.pt" "${common[@]}" --out "$work/pruned.pt" --json 2> /dev/null \
    | show "f'no fine-tuning:        relative L2 error {j[\"loss\"]:.4f}, cosine {j[\"accuracy\"]:.4f} ({j[\"metric\"]})'"
for seed in 0 1 2; do
    "$cli" prune "$work/lraspp.pt" "${common[@]}" --finetune-epochs "$epochs" --lr 0.001 \
        --seed "$seed" --out "$work/tuned.pt" --json 2> /dev/null \
        | show "f'{$epochs} epochs, seed $seed: relative L2 error {j[\"loss\"]:.4f}, cosine {j[\"accuracy\"]:.4f}'"
done
