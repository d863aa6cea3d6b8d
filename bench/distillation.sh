#!/usr/bin/env bash
# Knowledge distillation on Fashion-MNIST with the trained default ConvNet as the teacher.
#  A. convnet-small (22% of the teacher's parameters) trained from scratch vs distilled, same
#     epochs, optimizer and seed, for seeds 1..3.
#  B. The default ConvNet pruned to 90% (global l1, weights), recovered by plain fine-tuning vs by
#     distillation from the dense model: same epochs, learning rate (5e-4 constant) and seed.
#   bench/distillation.sh [EPOCHS_A] [EPOCHS_B] [T] [ALPHA] [TRAIN_LIMIT_A]
# TRAIN_LIMIT_A (default 0 = all 60,000) trains part A's students on the first N images only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
epochs_a="${1:-5}"
epochs_b="${2:-3}"
temperature="${3:-4}"
alpha="${4:-0.9}"
limit="${5:-0}"
cli="$build/app/prunelab-cli"
cmake --build "$build" --target prunelab-cli > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
acc() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["accuracy"])'; }

echo "A. convnet-small from scratch vs distilled ($epochs_a epochs, T $temperature, alpha $alpha, train limit $limit)"
"$cli" info default --json | /usr/bin/python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print("teacher params", j["params"])'
"$cli" info convnet-small --json | /usr/bin/python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print("student params", j["params"])'
for seed in 1 2 3; do
    scratch=$("$cli" train convnet-small --data fashion-mnist --val-fraction 0 --train-limit "$limit" --epochs "$epochs_a" --seed "$seed" \
        --out "$work/scratch.pt" --json 2>/dev/null | acc)
    kd=$("$cli" distill --teacher default --student convnet-small --data fashion-mnist --val-fraction 0 \
        --train-limit "$limit" --epochs "$epochs_a" --seed "$seed" --temperature "$temperature" --alpha "$alpha" \
        --out "$work/kd.pt" --json 2>/dev/null | acc)
    echo "seed $seed: scratch $scratch distilled $kd"
done

echo "B. 90% global l1 weight sparsity, recovered for $epochs_b epochs"
"$cli" prune default --data fashion-mnist --val-fraction 0 --rate 0.9 --global --out "$work/pruned.pt" --json 2>/dev/null \
    | /usr/bin/python3 -c 'import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print("dense", j["dense_accuracy"], "pruned, no recovery", j["accuracy"])'
ft=$("$cli" prune default --data fashion-mnist --val-fraction 0 --rate 0.9 --global --finetune-epochs "$epochs_b" \
    --out "$work/ft.pt" --json 2>/dev/null | acc)
kd=$("$cli" distill --teacher default --student "$work/pruned.pt" --data fashion-mnist --val-fraction 0 \
    --epochs "$epochs_b" --lr 0.0005 --lr-schedule constant --seed 1 \
    --temperature "$temperature" --alpha "$alpha" --out "$work/kd90.pt" --json 2>/dev/null | acc)
echo "fine-tuned $ft distilled $kd"
