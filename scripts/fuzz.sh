#!/usr/bin/env bash
# Fuzzes tapegrad's readers of untrusted input with libFuzzer (clang, AddressSanitizer + UndefinedBehaviorSanitizer):
# configures build-fuzz, builds the harnesses of tests/fuzz/ and their seed corpora, replays the saved reproducers of
# earlier findings, then runs each target for a while, one after the other, on one core. docs/fuzzing.md says more.
#   scripts/fuzz.sh [--time SECONDS] [--build DIR] [TARGET...]
#     --time    seconds per target (default 30)
#     --build   build folder (default build-fuzz)
#     TARGET    arpa safetensors checkpoint corpus vocab tar brown cli (default: all)
# Prints the executions per target and every crash (the reproducer is kept in <build>/fuzz-findings/<target>/);
# exits 1 when a target found something, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(arpa safetensors checkpoint corpus vocab tar brown cli)
seconds=30
build=build-fuzz
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=${2:?--time needs seconds}; shift 2 ;;
    --build) build=${2:?--build needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *)
      if [[ " ${all_targets[*]} " != *" $1 "* ]]; then
        echo "fuzz: unknown target '$1' (targets: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: --time wants a positive whole number of seconds, not '$seconds'" >&2
  exit 2
fi

./scripts/setup.sh  # clang, libclang-rt-14-dev (libFuzzer and the sanitizer runtimes), libomp-14-dev

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
log="$build.log"
# A folder already configured with TAPEGRAD_FUZZ (scripts/test.sh's sanitizer build, which also builds the tests) is
# reused as it is; otherwise a fuzz-only build is configured: clang, -O1, no tests, benchmarks or diagrams.
configure=(cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
           -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" "${launcher[@]}" -DTAPEGRAD_FUZZ=ON -DTAPEGRAD_BUILD_TESTS=OFF
           -DTAPEGRAD_BUILD_BENCH=OFF -DTAPEGRAD_DIAGRAMS=OFF)
grep -q '^TAPEGRAD_FUZZ:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null && configure=(true)
if ! { "${configure[@]}" &&
       cmake --build "$build" --parallel "$(nproc)" --target fuzz_seed_corpus \
         $(printf 'fuzz_%s ' "${targets[@]}"); } >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "fuzz: build failed (full log in $log)" >&2
  exit 1
fi

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== replaying the seeds and the saved reproducers"
status=0
summary=()
if ! ctest --test-dir "$build" --output-on-failure -R "^fuzz_(seeds|regressions)_($(IFS='|'; echo "${targets[*]}"))\$"; then
  # Reported, and the exit status says so, but fuzzing goes on: the other targets may find something else.
  status=1
  summary+=("a seed or a saved reproducer fails (the ctest output above names it)")
fi
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"      # grows across runs: what the fuzzer found interesting
  findings="$build/fuzz-findings/$t"  # crash-*, leak-*, oom-*, timeout-* reproducers
  mkdir -p "$corpus" "$findings"
  out="$build/fuzz-$t.log"
  echo "== fuzz_$t for ${seconds}s"
  rc=0
  # One process, one core (-jobs=1); a unit over 10 s or 2 GB is a finding (a hang, an allocation without bound).
  "$build/tests/fuzz/fuzz_$t" "$corpus" "$build/fuzz-seeds/$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$out" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
  if [ "$rc" -ne 0 ]; then
    status=1
    artifact=$(sed -n 's/.*Test unit written to //p' "$out" | tail -n 1)
    grep -E 'ERROR:|runtime error:|fuzz property failed|out-of-memory|timeout' "$out" | head -n 5 || true
    sed -n '/^    #[0-9]/p' "$out" | head -n 12 || true  # head may close the pipe first (SIGPIPE under pipefail)
    summary+=("$t: FOUND after ${runs:-?} executions: ${artifact:-see $out}")
  else
    summary+=("$t: ${runs:-?} executions, nothing found")
  fi
done

echo "== fuzzing summary (${seconds}s per target; logs in $build/fuzz-<target>.log)"
printf '  %s\n' "${summary[@]}"
exit "$status"
