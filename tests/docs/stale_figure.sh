#!/bin/sh
# Checks that scripts/gen-figures.sh --check refuses a stale figure: copies docs/figures into WORKDIR, puts STALE in
# place of NAME, and requires exit status 1 with NAME, and only NAME, reported as stale.
# Usage: stale_figure.sh REPO TAPEGRAD WORKDIR NAME STALE.svg
repo=$1 tapegrad=$2 work=$3 name=$4 stale=$5
rm -rf "$work" && mkdir -p "$work" && cp "$repo"/docs/figures/* "$work"/ && cp "$stale" "$work/$name" || exit 1
out=$("$repo/scripts/gen-figures.sh" --check --figures "$work" --tapegrad "$tapegrad" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 1 ]; then
  echo "stale_figure: exit status $status, expected 1"
  exit 1
fi
printf '%s\n' "$out" | grep -q "$work/$name is stale" || { echo "stale_figure: $name not reported as stale"; exit 1; }
count=$(printf '%s\n' "$out" | grep -c " is stale")
[ "$count" -eq 1 ] || { echo "stale_figure: $count figures reported stale, expected only $name"; exit 1; }
