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

py=/usr/bin/python3
# Prints a Python expression over the JSON object on stdin's last line (`j`).
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }
data=(--data fashion-mnist --val-fraction 0)
dense=$("$cli" eval "$work/vit.pt" "${data[@]}" --json 2>/dev/null | show "j['accuracy']")
echo "dense test accuracy: $dense"

echo "== heads 25% then MLP neurons 50% (taylor), fine-tuned ${FT_EPOCHS:-3} epochs, compacted"
"$cli" prune "$work/vit.pt" "${data[@]}" --criterion taylor --granularity head --rate 0.25 \
    --out "$work/heads.pt" > /dev/null 2>&1
"$cli" prune "$work/heads.pt" "${data[@]}" --criterion taylor --granularity neuron --rate 0.5 \
    --finetune-epochs "${FT_EPOCHS:-3}" --out "$work/structured.pt" --json 2>/dev/null \
    | show "f'pruned + fine-tuned: test accuracy {j[\"accuracy\"]:.4f} ({(j[\"accuracy\"] - $dense) * 100:+.2f} pp vs dense)'"
"$cli" compact "$work/structured.pt" --out "$work/small.pt" --json 2>/dev/null \
    | show "f'compacted: params {j[\"params_before\"]:,} -> {j[\"params_after\"]:,}, MACs {j[\"flops_before\"]:,} -> {j[\"flops_after\"]:,} ({j[\"flops_before\"]/j[\"flops_after\"]:.2f}x), max output diff {j[\"max_abs_diff\"]:.1e}'"
"$cli" bench "$work/vit.pt" "$work/small.pt" --batch 64 --runs "${RUNS:-40}"

echo "== one-shot 50% of the weights of every block, ranked within each output row, no fine-tuning"
for criterion in l1 wanda; do
    "$cli" prune "$work/vit.pt" "${data[@]}" --criterion "$criterion" --per-row --rate 0.5 \
        --exclude patch_embed --exclude head --calibration-batches 8 --out "$work/$criterion.pt" \
        --json 2>/dev/null \
        | show "f'{\"magnitude\" if \"$criterion\" == \"l1\" else \"wanda    \"}: test accuracy {j[\"accuracy\"]:.4f}, sparsity {j[\"sparsity\"]:.3f}'"
done

echo "== 2:4 in every Linear (wanda), fine-tuned ${FT_EPOCHS:-3} epochs"
"$cli" prune "$work/vit.pt" "${data[@]}" --criterion wanda --granularity 2:4 --exclude patch_embed \
    --calibration-batches 8 --finetune-epochs "${FT_EPOCHS:-3}" --out "$work/nm.pt" --json 2>/dev/null \
    | show "f'2:4 + fine-tuned: test accuracy {j[\"accuracy\"]:.4f} ({(j[\"accuracy\"] - $dense) * 100:+.2f} pp vs dense)'"
"$cli" export "$work/nm.pt" --masks "$work/nm_masks.pt" > /dev/null
$py - "$work/nm_masks.pt" <<'PY'
import sys, torch
masks = torch.load(sys.argv[1])
linear = {k: m for k, m in masks.items() if k.endswith(".weight") and m.dim() == 2}
ok = all(int(m.view(m.shape[0], -1, 4).sum(2).max()) <= 2 for m in linear.values())
print(f"masks: {len(linear)} Linear weights, every group of 4 inputs keeps at most 2: {ok}")
PY
