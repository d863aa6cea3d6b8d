#!/usr/bin/env bash
# A transformer-sized model made in Python (torchvision ViT-B/16, scripted, 86M parameters,
# 224x224 input stored in the archive): how long `info` takes, how long `prune --granularity
# filter` takes to say "nothing to prune" (before any data, evaluation or scoring), and how long
# the window takes to open it (engine load, l1 scores, File > Open to a shown window; offscreen).
# Targets (issue 13): info <= 10 s, nothing to prune <= 10 s, window open <= 10 s.
#   bench/open_large_model.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
runs="${1:-3}"
cmake --build "$build" --target prunelab-cli prunelab_bench_interactive > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/vit_b_16.pt" <<'PY'
import sys, torch, torchvision
model = torchvision.models.vit_b_16(num_classes=10).eval()
torch.jit.save(torch.jit.script(model), sys.argv[1],
               _extra_files={"prunelab/input_shape.json": '{"input_shape": [3, 224, 224]}'})
PY
cli="$build/app/prunelab-cli"
seconds() { local start end; start=$(date +%s%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
info=(); nothing=()
for _ in $(seq "$runs"); do
    info+=($(seconds "$cli" info "$work/vit_b_16.pt"))
    nothing+=($(seconds "$cli" prune "$work/vit_b_16.pt" --granularity filter --rate 0.3 \
        --data synthetic --out "$work/never.pt"))
done
echo "info: median $(median "${info[@]}") ms (runs: ${info[*]})"
echo "prune --granularity filter, 'nothing to prune': median $(median "${nothing[@]}") ms (runs: ${nothing[*]})"
for _ in $(seq "$runs"); do
    QT_QPA_PLATFORM=offscreen "$build/bench/prunelab_bench_interactive" open "$work/vit_b_16.pt" 2>/dev/null
done
