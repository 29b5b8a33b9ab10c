#!/usr/bin/env bash
# Configures and builds tapegrad into a build folder: scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Installs missing packages first. Uses Ninja when available. Quiet on success apart from a summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

build_dir=${1:-build}
shift || true
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# ccache, when installed, with paths taken relative to the checkout: another clone of the same sources (a CI run) then
# reuses the objects compiled here.
if command -v ccache >/dev/null; then
  generator+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
log="$build_dir.log"
if ! { cmake -S . -B "$build_dir" "${generator[@]}" "$@" && cmake --build "$build_dir" --parallel "$(nproc)"; } >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "build: failed (full log in $log)" >&2
  exit 1
fi
echo "build: $build_dir ready"
