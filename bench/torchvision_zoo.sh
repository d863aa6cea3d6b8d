#!/usr/bin/env bash
# The torchvision zoo (issue 13): every classification model torchvision 0.14 lists (80), plus
# fcn_resnet50, deeplabv3_mobilenet_v3_large and lraspp_mobilenet_v3_large (dict outputs), made in
# Python with 10 classes and random weights, scripted (traced when scripting fails), then in
# PruneLab: 30% of the channels of every group pruned by l1 (`prune --granularity filter`, then
# `--granularity neuron` for Linear layers' channels),
# compacted (`compact`), and checked from Python (bench/torchvision_zoo.py check: loads, fewer
# parameters, same outputs within 1e-4 of the largest output). One markdown row per model.
#   bench/torchvision_zoo.sh [OUT.md] [NAME ...]     (default: bench/torchvision_zoo.md, all)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${PRUNELAB_BUILD:-$root/build}"
out="${1:-$root/bench/torchvision_zoo.md}"
shift || true
cmake --build "$build" --target prunelab-cli > /dev/null
cli="$build/app/prunelab-cli"
py=/usr/bin/python3
zoo="$root/bench/torchvision_zoo.py"
names=("$@")
[ ${#names[@]} -eq 0 ] && read -r -a names <<< "$($py "$zoo" list)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
limit=900 # seconds per step
now() { date +%s; }
field() { $py -c "import json,sys
try: j=json.loads(sys.stdin.read().strip().splitlines()[-1])
except Exception: sys.exit(0)
print($1)"; }
oneline() { tr '\n' ' ' | sed 's/|/\\|/g' | cut -c1-160; }

start_all=$(now)
{
echo "| model | made | params before | params after | ratio | MACs before | MACs after | groups fixed (why) | output diff | s |"
echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"
} > "$out"
for name in "${names[@]}"; do
    t0=$(now)
    model="$work/$name.pt"
    made=$(timeout "$limit" $py "$zoo" make "$name" "$model" 2> "$work/err")
    if [ -z "$made" ]; then
        echo "| $name | cannot make: $(tail -1 "$work/err" | oneline) | | | | | | | | |" >> "$out"
        continue
    fi
    how=$(echo "$made" | field 'j["how"]')
    shape=$(echo "$made" | field '",".join(str(v) for v in j["shape"])')
    # 30% of every channel group: convolutions' filters, then Linear layers' neurons (a model
    # may have either alone: ConvNeXt's MLPs are Linear layers over channels-last maps).
    pruned="$model"
    errors=""
    for granularity in filter neuron; do
        if timeout "$limit" "$cli" prune "$pruned" --data synthetic --train-limit 8 \
            --test-limit 8 --val-fraction 0 --granularity "$granularity" --criterion l1 \
            --rate 0.3 --out "$work/$granularity.pt" > /dev/null 2> "$work/err"; then
            pruned="$work/$granularity.pt"
        else
            errors="$errors$granularity: $(grep -v '^warning' "$work/err" | tail -1 | sed 's/^prunelab-cli prune: error: //') "
        fi
    done
    if [ "$pruned" = "$model" ]; then
        secs=$(( $(now) - t0 ))
        echo "| $name | $how | | | | | | $(echo "$errors" | oneline) | | $secs |" >> "$out"
        rm -f "$model"
        continue
    fi
    mv "$pruned" "$work/masked.pt"
    rm -f "$work/filter.pt" "$work/neuron.pt"
    timeout "$limit" "$cli" compact "$work/masked.pt" --out "$work/small.pt" --json \
        > "$work/compact.json" 2> "$work/err"
    if [ $? -ne 0 ]; then
        secs=$(( $(now) - t0 ))
        echo "| $name | $how | | | | | | compact: $(tail -1 "$work/err" | oneline) | | $secs |" >> "$out"
        rm -f "$model" "$work/masked.pt"
        continue
    fi
    checked=$(timeout "$limit" $py "$zoo" check "$work/masked.pt" "$work/small.pt" "$shape" 2> "$work/err")
    secs=$(( $(now) - t0 ))
    row=$(field "'{:,} | {:,} | {:.2f}x | {:,} | {:,} | {} | '.format(j['params_before'], j['params_after'], j['params_before'] / j['params_after'], j['flops_before'], j['flops_after'], ('%d: ' % len(j['warnings']) + '; '.join(sorted(set(w.split(': ', 1)[-1] for w in j['warnings'])))[:200]) if j['warnings'] else '0')" < "$work/compact.json")
    diff=$(echo "$checked" | field "'%.1e' % j['relative_diff'] + ('' if j['params_compacted'] < j['params_pruned'] else ' (not smaller!)')")
    [ -z "$diff" ] && diff="check failed: $(tail -1 "$work/err" | oneline)"
    echo "| $name | $how | $row $diff | $secs |" >> "$out"
    rm -f "$model" "$work/masked.pt" "$work/small.pt"
done
echo >> "$out"
echo "Total: $(( $(now) - start_all )) s on $(nproc) cores; $(date -u +%Y-%m-%d)." >> "$out"
cat "$out"
