#!/usr/bin/env bash
# Installs the Debian packages tapegrad needs to build, test and benchmark, and only those that are missing.
# Idempotent and quiet when everything is already there. Used by both README commands and by .ci/run.
#   scripts/setup.sh           what the build, the tests and the main job need (PyTorch included: the interop tests
#                              load our checkpoints in it, and bench/compare_torch.py runs it beside ours)
#   scripts/setup.sh --bench   also the peers of bench/gemm_peers, OpenBLAS and oneDNN, and perf (bench/profile_step.py)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev libomp-14-dev
  libxsimd-dev libboost-test-dev libgraphviz-dev graphviz libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  libopenmpi-dev openmpi-bin  # data-parallel training and n-gram counting on several ranks (docs/distributed.md)
  zlib1g-dev  # lm/ reads the Brown corpus .tgz in-process (gzip through zlib, tar records by our own reader)
  python3-torch python3-numpy  # tests/interop: checkpoints loaded in PyTorch (skipped without them)
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(libopenblas-dev libopenblas0-openmp libdnnl-dev linux-perf)
elif [ $# -gt 0 ]; then
  echo "usage: scripts/setup.sh [--bench]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
