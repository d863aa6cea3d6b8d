#!/usr/bin/env bash
# Builds PruneLab with AddressSanitizer + UndefinedBehaviorSanitizer (GCC) in build-asan/ and runs
# the whole test suite there; with --thread, ThreadSanitizer in build-tsan/ and the tests that run
# jobs on the worker thread (session, window, pruning job). `./test.sh --sanitize` runs the first.
# Timings on the 2-core CI machine are in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode=address
[ "${1:-}" = "--thread" ] && mode=thread

# Debian packages and the ordinary configuration first (the same script as test.sh).
PRUNELAB_BUILD="$root/build" source scripts/setup.sh >/dev/null

if [ "$mode" = address ]; then
    build="${PRUNELAB_SANITIZE_BUILD:-$root/build-asan}"
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    # LibTorch and Qt keep process-lifetime allocations that LeakSanitizer reports as leaks;
    # memory errors (overflows, use after free) and undefined behaviour are what this run is for.
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    tests=""
else
    build="${PRUNELAB_SANITIZE_BUILD:-$root/build-tsan}"
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    # LibTorch's OpenMP pool (libgomp) is not instrumented: its own synchronisation is invisible
    # to TSan, so races are checked in PruneLab's code with one intra-op thread.
    # The tests start prunelab-cli and Python with QProcess (a fork from a threaded process).
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$root/scripts/tsan.supp"
    export OMP_NUM_THREADS=1
    tests="test_session|test_main_window|test_pruning_job|test_sweep|test_trainer"
fi

# Every timeout in the tests stretches by this factor (tests/CMakeLists.txt): TSan runs the
# window's jobs and the prunelab-cli children it starts roughly ten times slower.
scale=4
[ "$mode" = thread ] && scale=12
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
    -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DPRUNELAB_TEST_TIME_SCALE=$scale >/dev/null
start=$(date +%s)
cmake --build "$build" --parallel "$(nproc)"
built=$(date +%s)
cd "$build"
export QT_QPA_PLATFORM=offscreen
if [ -n "$tests" ]; then
    ctest --output-on-failure --parallel "$(nproc)" -R "$tests" -E test_installer
else
    ctest --output-on-failure --parallel "$(nproc)" -E test_installer
fi
echo "sanitize ($mode): build $((built - start)) s, tests $(($(date +%s) - built)) s"
