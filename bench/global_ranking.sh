#!/usr/bin/env bash
# Fair global ranking (issue 15): the default ConvNet pruned by a 50% global filter rate,
# one-shot (l1, no fine-tuning), ranked raw as before and with each normalizer, with and without
# the 90% per-layer limit; test accuracy on Fashion-MNIST's 10,000 test images and each conv
# layer's rate. Deterministic (trained default weights, l1 scores): no spread over seeds.
#   bench/global_ranking.sh [RATE]   (default 0.5)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${PRUNELAB_BUILD:-$root/build}/app/prunelab-cli"
rate="${1:-0.5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run() { # LABEL ARGS...
    local label="$1"
    shift
    "$cli" prune default --data fashion-mnist --val-fraction 0 --granularity filter \
        --criterion l1 --rate "$rate" "$@" --out "$work/p.pt" --json 2>/dev/null |
        tail -1 | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
rates = ", ".join(f"{l['"'"'name'"'"']} {l['"'"'rate'"'"']*100:.0f}%" for l in j["layers"] if l["pruned"])
print(f"{sys.argv[1]:<34} accuracy {j['"'"'accuracy'"'"']*100:6.2f}%  (dense {j['"'"'dense_accuracy'"'"']*100:.2f}%)  {rates}")' "$label"
}

echo "default ConvNet, ${rate} global filter rate, one-shot l1"
run "raw, no limit (before)" --global --normalizer none --max-layer-rate 1
run "raw, <= 90% per layer" --global --normalizer none
for n in l2 max mean; do
    run "$n, no limit" --global --normalizer "$n" --max-layer-rate 1
done
run "mean, <= 90% per layer (default)" --global
run "the same rate in every layer" # no --global
