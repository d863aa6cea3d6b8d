#!/usr/bin/env bash
# lstm (and gru) on Fashion-MNIST (issue 14): dense accuracy of PruneLab's training and of the
# PyTorch twin (docs/pytorch_models.py) with the same recipe (Adam 0.002, cosine, batch 64,
# 10 epochs); half the hidden units removed (taylor) and fine-tuned, compacted and loaded in
# Python; Wanda vs magnitude one-shot at 50% per row.
#   bench/recurrent.sh [MODEL (lstm)] [WORK]   a WORK/MODEL.pt from an earlier run is reused.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${PRUNELAB_BUILD:-$root/build}/app/prunelab-cli"
model="${1:-lstm}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
epochs="${EPOCHS:-10}"
py=/usr/bin/python3
# Prints a Python expression over the JSON object on stdin's last line (`j`).
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }
data=(--data fashion-mnist --val-fraction 0)

if [ ! -f "$work/$model.pt" ]; then
    start=$(date +%s)
    "$cli" train "$model" "${data[@]}" --epochs "$epochs" --out "$work/$model.pt" --json 2>/dev/null \
        | show "f'prunelab  $model dense: test accuracy {j[\"accuracy\"]:.4f}'"
    echo "           ($(( $(date +%s) - start )) s)"
    start=$(date +%s)
    $py "$root/bench/train_reference.py" --model "$model" --epochs "$epochs" --loader slices \
        | show "f'pytorch   $model dense: test accuracy {j[\"test_accuracy\"]:.4f}'"
    echo "           ($(( $(date +%s) - start )) s)"
fi
dense=$("$cli" eval "$work/$model.pt" "${data[@]}" --json 2>/dev/null | show "j['accuracy']")
echo "dense test accuracy: $dense"

echo "== half the units (taylor), fine-tuned ${FT_EPOCHS:-3} epochs, compacted, loaded in Python"
"$cli" prune "$work/$model.pt" "${data[@]}" --criterion taylor --granularity unit --rate 0.5 \
    --finetune-epochs "${FT_EPOCHS:-3}" --out "$work/units.pt" --json 2>/dev/null \
    | show "f'pruned + fine-tuned: test accuracy {j[\"accuracy\"]:.4f} ({(j[\"accuracy\"] - $dense) * 100:+.2f} pp vs dense)'"
"$cli" compact "$work/units.pt" --out "$work/small.pt" --state-dict "$work/small_sd.pt" --json 2>/dev/null \
    | show "f'compacted: params {j[\"params_before\"]:,} -> {j[\"params_after\"]:,}, MACs {j[\"flops_before\"]:,} -> {j[\"flops_after\"]:,}, max output diff {j[\"max_abs_diff\"]:.1e}'"
"$cli" export "$work/small.pt" --io-sample "$work/io.pt" > /dev/null
$py - "$root/docs" "$model" "$work/small_sd.pt" "$work/io.pt" <<'PY'
import sys, torch
sys.path.insert(0, sys.argv[1])
import pytorch_models
state = torch.load(sys.argv[3])
net = pytorch_models.build(sys.argv[2], 1, 10, (28, 28), widths=pytorch_models.widths_of(state))
net.load_state_dict(state)  # strict
sample = torch.load(sys.argv[4])
with torch.no_grad():
    diff = (net(sample["input"]) - sample["output"]).abs().max().item()
print(f"python: {net.rnn.hh.weight.shape[1]} units, strict load, outputs differ by {diff:.1e}")
PY
"$cli" bench "$work/$model.pt" "$work/small.pt" --batch 64 --runs "${RUNS:-40}"

echo "== one-shot 50% of the recurrent weights, ranked within each output row, no fine-tuning"
for criterion in l1 wanda; do
    "$cli" prune "$work/$model.pt" "${data[@]}" --criterion "$criterion" --per-row --rate 0.5 \
        --exclude fc --calibration-batches 8 --out "$work/$criterion.pt" --json 2>/dev/null \
        | show "f'{\"magnitude\" if \"$criterion\" == \"l1\" else \"wanda    \"}: test accuracy {j[\"accuracy\"]:.4f}, sparsity {j[\"sparsity\"]:.3f}'"
done
