#!/usr/bin/env bash
# The measurement of docs/conditioned.md: does a class-conditioned language model write sentences of the label it is
# given? Generates N sentences per label (negative, positive) with `tapegrad generate --label`, labels them with
# each classifier given (`tapegrad classify predict`: a bilstm .safetensors or a naive Bayes .json from
# `tapegrad classify train --save`), and prints, per classifier and label, how many it assigns to the requested
# label, and the rate over both labels.
#   scripts/eval-conditioned.sh GENERATOR.safetensors CLASSIFIER [CLASSIFIER ...]
# Environment: N (default 100), TEMPERATURE (0.8), TOP_K (0: all), SEED (1: the sentences use seeds SEED … SEED+N−1),
# OUT (folder for the generated files; default out/eval-conditioned), TAPEGRAD (default build/apps/tapegrad),
# THREADS (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: $0 GENERATOR.safetensors CLASSIFIER [CLASSIFIER ...]" >&2
  exit 2
fi
gen=$1
shift
tg=${TAPEGRAD:-build/apps/tapegrad}
n=${N:-100}
out=${OUT:-out/eval-conditioned}
mkdir -p "$out"
percent() { awk -v k="$1" -v n="$2" 'BEGIN { printf "%.1f", 100 * k / n }'; }
for label in negative positive; do
  "$tg" generate --checkpoint "$gen" --label "$label" -n "$n" --temperature "${TEMPERATURE:-0.8}" \
    --top-k "${TOP_K:-0}" --seed "${SEED:-1}" --threads "${THREADS:-1}" >"$out/$label.txt"
  lines=$(wc -l <"$out/$label.txt")
  [ "$lines" -eq "$n" ] || { echo "eval-conditioned: $out/$label.txt has $lines lines, expected $n" >&2; exit 1; }
done
echo "generator $gen: $n sentences per label, temperature ${TEMPERATURE:-0.8}, top-k ${TOP_K:-0}, seeds ${SEED:-1}…"
for cls in "$@"; do
  total=0
  for label in negative positive; do
    # classify predict writes LABEL<TAB>PROBABILITY<TAB>SENTENCE per line.
    k=$("$tg" classify predict --checkpoint "$cls" --input "$out/$label.txt" | cut -f1 | grep -cx "$label" || true)
    total=$((total + k))
    printf '%s: %s %d / %d (%.1f %%)\n' "$cls" "$label" "$k" "$n" "$(percent "$k" "$n")"
  done
  printf '%s: both %d / %d (%.1f %%)\n' "$cls" "$total" "$((2 * n))" "$(percent "$total" $((2 * n)))"
done
