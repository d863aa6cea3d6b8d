#!/usr/bin/env bash
# Re-threshold latency, PruneLab vs torch.nn.utils.prune, on the same torchvision ResNet-18
# weights, in one run: a new rate for one 2.36M-weight layer (layer4.1.conv2) and a new global
# rate over all 11.7M Conv2d/Linear weights. PruneLab scores and sorts once beforehand (reported
# separately); each call is then what a threshold drag costs.
#   bench/rethreshold.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
runs="${1:-25}"
cmake --build "$build" --target prunelab_bench_rethreshold > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/bench/rethreshold_torch.py" "$work/resnet18.pt" "$runs" > "$work/torch.json"
"$build/bench/prunelab_bench_rethreshold" "$work/resnet18.pt" "$runs" > "$work/prunelab.json"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
t = json.load(open(f"{w}/torch.json")); p = json.load(open(f"{w}/prunelab.json"))
print(f"PruneLab one-time: score {p['score_ms']:.0f} ms, sort/index {p['index_ms']:.0f} ms")
print(f"{'':28}{'PruneLab':>12}{'torch.nn.utils.prune':>24}{'speed-up':>10}")
for key, label in (("single", "one layer (2.36M weights)"), ("global", "global rate (11.7M)")):
    a, b = p[f"{key}_median_ms"], t[f"{key}_median_ms"]
    print(f"{label:28}{a:>10.2f}ms{b:>22.1f}ms{b / a:>9.0f}x")
print(f"medians over {len(p['single_ms'])} PruneLab calls, {len(t['single_layer_ms'])}/{len(t['global_ms'])} torch calls")
PY
