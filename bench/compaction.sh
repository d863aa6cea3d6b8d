#!/usr/bin/env bash
# Structured compaction: real speed from removing pruned filters (issue 7).
#  A. vgg-small and resnet20 (32x32 input): 50% of every prunable channel group's filters
#     removed by l1 group pruning, compacted; dense vs masked vs compacted latency, timed in
#     turns in one run (prunelab-cli bench) at batch 64 and batch 1; params and FLOPs beside;
#     and the same dense/compacted pair in PyTorch (bench/compaction_torch.py) for comparison.
#  B. The default ConvNet with half its filters (conv1, conv2) and half of fc1's neurons removed,
#     fine-tuned with masks held, compacted: accuracy vs dense, file size, latency.
#  C. torchvision resnet18 scripted in Python: 50% of its filters, compacted by PruneLab, timed
#     by PruneLab and, loaded with torch.jit.load, by Python.
#   bench/compaction.sh [FINETUNE_EPOCHS (20)] [RUNS_B64 (30)] [RUNS_B1 (200)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
epochs="${1:-20}"
runs64="${2:-30}"
runs1="${3:-200}"
cli="$build/app/prunelab-cli"
py=/usr/bin/python3
cmake --build "$build" --target prunelab-cli > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# Prints a Python expression over the JSON object on stdin's last line (`j`).
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }

echo "== A. speed of compacted models (threads: $(nproc) cores)"
for model in vgg-small resnet20; do
    "$cli" prune "$model" --data synthetic --train-limit 64 --test-limit 64 --granularity filter \
        --criterion l1 --rate 0.5 --out "$model-masked.pt" > /dev/null 2>&1
    "$cli" compact "$model-masked.pt" --out "$model-small.pt" --state-dict "$model-small-sd.pt" --json \
        | show "f'{j[\"source\"]}: params {j[\"params_before\"]:,} -> {j[\"params_after\"]:,} ({j[\"params_before\"]/j[\"params_after\"]:.2f}x), MACs {j[\"flops_before\"]:,} -> {j[\"flops_after\"]:,} ({j[\"flops_before\"]/j[\"flops_after\"]:.2f}x), max output diff {j[\"max_abs_diff\"]:.1e}'"
    "$cli" export "$model-masked.pt" --state-dict "$model-dense-sd.pt" > /dev/null
    for batch in 64 1; do
        runs=$([ "$batch" = 64 ] && echo "$runs64" || echo "$runs1")
        echo "-- $model, batch $batch"
        "$cli" bench "$model" "$model-masked.pt" "$model-small.pt" --batch "$batch" --runs "$runs"
        THREADS=$(nproc) $py "$root/bench/compaction_torch.py" "$model" "$model-dense-sd.pt" "$model-small-sd.pt" 3 32 32 "$batch" "$runs"
    done
done

echo "== B. the seed ConvNet, half of its filters and of fc1's neurons, fine-tuned $epochs epochs"
"$cli" prune default --data fashion-mnist --val-fraction 0 --granularity filter --rate 0.5 --out filters.pt --json 2>/dev/null \
    | show "f'dense {j[\"dense_accuracy\"]:.4f}, half the filters (no fine-tune) {j[\"accuracy\"]:.4f}'"
"$cli" prune filters.pt --data fashion-mnist --val-fraction 0 --granularity neuron --rate 0.5 --finetune-epochs "$epochs" \
    --lr 0.002 --lr-schedule cosine --seed 1 --out pruned.pt --json 2>/dev/null \
    | show "f'+ half of fc1, fine-tuned: {j[\"accuracy\"]:.4f}'"
"$cli" compact pruned.pt --data fashion-mnist --val-fraction 0 --out small.pt
"$cli" export default --state-dict dense.pt > /dev/null
ls -l pruned.pt small.pt | awk '{print $5, $9}'
"$cli" bench default pruned.pt small.pt --batch 64 --runs "$runs64"
"$cli" bench default pruned.pt small.pt --batch 1 --runs "$runs1"

echo "== C. torchvision resnet18 from Python (TorchScript), 50% of its filters, 64x64 input"
$py "$root/bench/compaction_torchscript.py" make resnet18.pt
"$cli" prune resnet18.pt --data synthetic:3,64,64 --train-limit 64 --test-limit 64 --granularity filter \
    --rate 0.5 --out resnet18-masked.pt > /dev/null 2>&1
"$cli" compact resnet18-masked.pt --out resnet18-small.pt --json \
    | show "f'params {j[\"params_before\"]:,} -> {j[\"params_after\"]:,}, MACs {j[\"flops_before\"]:,} -> {j[\"flops_after\"]:,}, max output diff {j[\"max_abs_diff\"]:.1e}'"
for batch in 16 1; do
    runs=$([ "$batch" = 16 ] && echo 10 || echo 50)
    echo "-- batch $batch, PruneLab then Python (torch.jit.load)"
    "$cli" bench resnet18.pt resnet18-masked.pt resnet18-small.pt --batch "$batch" --runs "$runs" | tail -3
    THREADS=$(nproc) $py "$root/bench/compaction_torchscript.py" time resnet18.pt resnet18-masked.pt \
        resnet18-small.pt 64 "$batch" "$runs"
done
