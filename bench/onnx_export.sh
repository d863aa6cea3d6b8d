#!/usr/bin/env bash
# ONNX export for deployment (issue 18): compacted VGG-small and ResNet-20 (50% of every channel
# group's filters removed by l1, compacted) in ONNX Runtime beside LibTorch, timed in one
# `prunelab-cli bench` run: dense and compacted, each in both runtimes, speedups against dense
# LibTorch. Every ONNX file is first checked against the model in ONNX Runtime.
#   bench/onnx_export.sh [RUNS_B64 (30)] [RUNS_B1 (200)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
runs64="${1:-30}"
runs1="${2:-200}"
cli="$build/app/prunelab-cli"
py=/usr/bin/python3
cmake --build "$build" --target prunelab-cli > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
show() { $py -c "import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print($1)"; }

echo "== ONNX Runtime $(node -p "require('$build/onnxruntime/node_modules/onnxruntime-node/package.json').version") vs LibTorch (threads: $(nproc) cores)"
for model in vgg-small resnet20; do
    "$cli" prune "$model" --data synthetic --train-limit 64 --test-limit 64 --granularity filter \
        --criterion l1 --rate 0.5 --out "$model-masked.pt" > /dev/null 2>&1
    "$cli" compact "$model-masked.pt" --out "$model-small.pt" > /dev/null
    for source in "$model" "$model-small.pt"; do
        name="$(basename "$source" .pt)"
        "$cli" export "$source" --onnx "$name.onnx" --onnx-check --json |
            show "f'$name.onnx: {j[\"onnx\"][\"nodes\"]} nodes, {j[\"onnx\"][\"bytes\"]:,} bytes, ONNX Runtime vs model max rel diff {j[\"onnx\"][\"runtime_check\"][\"max_relative_error\"]:.1e}'"
    done
    for batch in 64 1; do
        runs=$([ "$batch" = 64 ] && echo "$runs64" || echo "$runs1")
        echo "-- $model, batch $batch"
        "$cli" bench "$model" "$model-small.pt" "$model.onnx" "$model-small.onnx" \
            --batch "$batch" --runs "$runs"
    done
done
