#!/usr/bin/env bash
# Training throughput: one epoch of the seed ConvNet on Fashion-MNIST (batch 64, Adam, cosine
# lr) with prunelab-cli and with Debian's python3-torch, alternating, RUNS runs each (default 3).
# Prints images/s per run, the medians, and the median ratio PruneLab / Python.
#   bench/train_throughput.sh [RUNS]
# Python variants: "dataloader" (TensorDataset + DataLoader, the idiomatic pipeline, the
# reference) and "slices" (whole-tensor index_select batches, as PruneLab does), both with
# torch's default thread settings.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
runs="${1:-3}"
cli="$build/app/prunelab-cli"
[ -x "$cli" ] || { echo "build first: ./test.sh or cmake --build build" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for i in $(seq 1 "$runs"); do
    "$cli" train convnet --data fashion-mnist --val-fraction 0 --epochs 1 --batch 64 --seed "$i" \
        --out "$out/c.pt" --json 2>/dev/null | tail -1 > "$out/prunelab-$i.json"
    /usr/bin/python3 "$root/bench/train_reference.py" --loader dataloader --seed "$i" \
        > "$out/python-dataloader-$i.json"
    /usr/bin/python3 "$root/bench/train_reference.py" --loader slices --seed "$i" \
        > "$out/python-slices-$i.json"
    echo "run $i/$runs done" >&2
done

/usr/bin/python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(name):
    return [json.load(open(f"{out}/{name}-{i}.json")) for i in range(1, runs + 1)]
pl = load("prunelab"); dl = load("python-dataloader"); sl = load("python-slices")
ips = lambda rows: [r["images_per_second"] for r in rows]
print(f"{'run':>4} {'PruneLab':>10} {'Py DataLoader':>14} {'Py slices':>10} {'ratio vs DL':>12} {'ratio vs slices':>16}")
for i in range(runs):
    a, b, c = ips(pl)[i], ips(dl)[i], ips(sl)[i]
    print(f"{i+1:>4} {a:>10.0f} {b:>14.0f} {c:>10.0f} {a/b:>12.2f} {a/c:>16.2f}")
ratio_dl = statistics.median(a / b for a, b in zip(ips(pl), ips(dl)))
ratio_sl = statistics.median(a / c for a, c in zip(ips(pl), ips(sl)))
print(f"median images/s: PruneLab {statistics.median(ips(pl)):.0f}, "
      f"Python DataLoader {statistics.median(ips(dl)):.0f}, Python slices {statistics.median(ips(sl)):.0f}")
print(f"median ratio PruneLab / Python (DataLoader reference): {ratio_dl:.2f}x")
print(f"median ratio PruneLab / Python (slices): {ratio_sl:.2f}x")
print(f"one-epoch test accuracy: PruneLab {statistics.median(r['accuracy'] for r in pl):.4f}, "
      f"Python {statistics.median(r['test_accuracy'] for r in dl):.4f}")
PY
