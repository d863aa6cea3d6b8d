#!/usr/bin/env bash
# Installs what PruneLab needs from Debian's packages (when something is missing), then
# configures and builds it (incrementally when a build exists). Sourced by run.sh and test.sh.
set -euo pipefail

PRUNELAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRUNELAB_BUILD="${PRUNELAB_BUILD:-$PRUNELAB_ROOT/build}"

packages=(
    build-essential cmake ninja-build pkg-config
    libtorch-dev libopenblas0-pthread
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-qpa-plugins
    libqcustomplot-dev libqcustomplot2.1-qt6
    libspdlog-dev nlohmann-json3-dev zlib1g-dev libstb-dev libonnx-dev libprotobuf-dev
    dataset-fashion-mnist
    python3-torch python3-torchvision python3-pil python3-onnx
    xvfb xauth dpkg-dev file
    clang-format python3
)

# Node.js runs ONNX Runtime (onnxruntime-node) to check and time ONNX exports; machines that
# have a newer Node than Debian's keep theirs.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: run as root (or install these packages first): ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
fi

if [ ! -f "$PRUNELAB_BUILD/build.ninja" ]; then
    cmake -S "$PRUNELAB_ROOT" -B "$PRUNELAB_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$PRUNELAB_BUILD" --parallel "$(nproc)"

# ONNX Runtime from npm (its CPU library ships inside the package; the CUDA download skipped),
# into the build folder where prunelab-cli and the tests look for it. Pinned: results in
# bench/RESULTS.md name this version.
ort_modules="$PRUNELAB_BUILD/onnxruntime/node_modules"
if [ ! -f "$ort_modules/onnxruntime-node/package.json" ]; then
    mkdir -p "$PRUNELAB_BUILD/onnxruntime"
    (cd "$PRUNELAB_BUILD/onnxruntime" &&
        ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --no-audit --no-fund --silent \
            onnxruntime-node@1.30.0 >&2) ||
        echo "setup: onnxruntime-node could not be installed (no npm registry?): ONNX Runtime" \
            "checks and timings will say so; the ONNX tests fail" >&2
fi
