#!/usr/bin/env bash
# Interactive speed of the real window, offscreen: a threshold drag move on the seed ConvNet
# (mask, table, histogram), a global-rate change on ResNet-18 (11.7M weights, everything
# refreshed), and startup to a shown, populated window (process start to exit, median of runs).
# Targets (issue 5): drag <= 16 ms, global <= 50 ms, startup <= 2 s.
#   bench/interactive.sh [STARTUP_RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
runs="${1:-7}"
cmake --build "$build" --target prunelab_bench_interactive > /dev/null
bench="$build/bench/prunelab_bench_interactive"
export QT_QPA_PLATFORM=offscreen
"$bench" drag 300 2>/dev/null
"$bench" global 25 2>/dev/null
times=()
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$bench" startup > /dev/null 2>&1
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "startup, process start to a shown populated window and exit: median ${sorted[$(( runs / 2 ))]} ms (runs: ${times[*]})"
