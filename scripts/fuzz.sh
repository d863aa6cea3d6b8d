#!/usr/bin/env bash
# Builds the engine with clang's libFuzzer + ASan + UBSan in build-fuzz/ and fuzzes each reader
# of untrusted files for a while: IDX, CIFAR, checkpoint, recipe, project state, TorchScript.
#   scripts/fuzz.sh [SECONDS per target, default 600] [TARGET ...]
# Seeds come from tests/fuzz/corpus/TARGET (valid files); what a run finds is kept in
# build-fuzz/corpus/TARGET, and a crashing input in tests/fuzz/crashes/TARGET/ (commit it, with
# its fix and a test; every run replays them). Two targets run at a time (one per core). Results: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
seconds="${1:-600}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(idx cifar checkpoint recipe project torchscript)

PRUNELAB_BUILD="$root/build" source scripts/setup.sh >/dev/null
if ! command -v clang++ >/dev/null; then
    apt-get install -y -q clang libclang-rt-14-dev
fi
build="$root/build-fuzz"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_COMPILER=clang++ -DPRUNELAB_BUILD_FUZZERS=ON \
        -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
fi
cmake --build "$build" --parallel "$(nproc)"

export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_one() {
    local target="$1"
    mkdir -p "$build/corpus/$target"
    local log="$build/fuzz_$target.log"
    local seeds="$root/tests/fuzz/corpus/$target"
    # The project target writes its own seed: a state that fits the checkpoint it makes.
    [ "$target" = project ] && [ -z "$(ls -A "$seeds")" ] && export PRUNELAB_FUZZ_SEED_DIR="$seeds"
    # Crashes found before are replayed first: each must stay fixed.
    mkdir -p "$root/tests/fuzz/crashes/$target"
    if "$build/tests/fuzz/fuzz_$target" "$build/corpus/$target" "$seeds" \
        "$root/tests/fuzz/crashes/$target" \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -max_len=1048576 \
        -artifact_prefix="$root/tests/fuzz/crashes/$target/" >"$log" 2>&1; then
        echo "fuzz_$target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1), no crash"
    else
        echo "fuzz_$target: FAILED, see $log and tests/fuzz/crashes/"
        return 1
    fi
}
status=0
pids=()
for target in "${targets[@]}"; do
    run_one "$target" &
    pids+=($!)
    if ((${#pids[@]} >= $(nproc))); then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
