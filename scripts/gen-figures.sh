#!/usr/bin/env bash
# Regenerates every figure of the docs, so the pictures never drift from the code. The commands live in the docs
# themselves: every line of docs/*.md of the form
#   tapegrad graph … -o docs/figures/NAME.svg       (or tapegrad gradflow …, which also writes NAME.csv, or
#                                                     tapegrad inspect …, a trained classifier's heat map)
# (inside a code block, right under the figure it makes) is run from the repository root, its words split as a shell
# would split them (a quoted argument is one word) but nothing in them run. A command that reads a trained checkpoint
# (--checkpoint PATH) is skipped, keeping its figure, when PATH does not exist: those come from training
# (scripts/brown-experiments.sh, or the command the doc gives) and say so where they are shown.
# Usage: scripts/gen-figures.sh [--check [--presence-only]] [--figures DIR] [--out DIR] [--tapegrad PATH]
#   --check      write nothing into docs; fail (exit 1) if a figure the docs show (](figures/NAME)) is missing, if no
#                command makes it, if a command makes a figure no doc shows, or if a committed `tapegrad graph`
#                figure is stale: each graph command is run again into a temporary folder and the fresh SVG is
#                compared with the committed one by scripts/svg_structure.py — the multiset of nodes, clusters and
#                edges with their label text (op names, inputs, shapes, scope names; decimals masked), not the
#                layout, which changes between Graphviz versions. Run by CTest.
#   --presence-only  with --check: only the presence checks, no tapegrad needed (a build without diagrams)
#   --figures DIR    the committed figures to check (default docs/figures; a test points it at a stale copy)
#   --out DIR    write the figures into DIR instead of docs/figures
#   --tapegrad   the binary to run (default build/apps/tapegrad)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
presence_only=0
figures=docs/figures
out=docs/figures
tapegrad=build/apps/tapegrad
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --presence-only) presence_only=1 ;;
    --figures) figures=$2; shift ;;
    --out) out=$2; shift ;;
    --tapegrad) tapegrad=$2; shift ;;
    *) echo "gen-figures: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

commands=$(grep -h -E '^tapegrad (graph|gradflow|inspect) .* -o docs/figures/[^ ]+$' docs/*.md || true)
made=$(sed -E 's/.* -o docs\/figures\/([^ ]+)$/\1/' <<<"$commands" | sort)
shown=$(grep -h -o -E '\]\(figures/[^)]+\)' docs/*.md | sed -E 's/\]\(figures\/(.*)\)/\1/' |
  grep -v '\.csv$' | sort -u)  # a gradflow figure's .csv comes with its .svg

missing_checkpoints() {  # missing_checkpoints LINE: the --checkpoint paths of a command line that do not exist
  # (grep finds no --checkpoint in most lines: `|| true`, or pipefail would end the script there, silently)
  { grep -o -E -- '--checkpoint [^ ]+' <<<"$1" || true; } | cut -d' ' -f2 |
    while read -r c; do [ -e "$c" ] || echo "$c"; done
}

run_figure() {  # run_figure LINE TARGET: run one doc command line, writing its figure to TARGET
  local line=$1 target=$2 args words
  args=${line#tapegrad }
  # The command's words, split as a shell would split them, quotes included (--sentence "the old man"), by xargs,
  # which runs nothing written in them.
  mapfile -t words < <(xargs printf '%s\n' <<<"${args% -o docs/figures/*}")
  "$tapegrad" "${words[@]}" -o "$target"
}

if [ $check = 1 ]; then
  status=0
  for f in $shown; do
    [ -f "$figures/$f" ] || { echo "gen-figures: docs show figures/$f, but it is missing from $figures/" >&2; status=1; }
    grep -qx "$f" <<<"$made" ||
      { echo "gen-figures: no 'tapegrad graph|gradflow|inspect … -o docs/figures/$f' line in docs makes figures/$f" >&2; status=1; }
  done
  for f in $made; do
    grep -qx "$f" <<<"$shown" || { echo "gen-figures: docs/figures/$f is made but no doc shows it" >&2; status=1; }
  done
  dupes=$(uniq -d <<<"$made")
  [ -z "$dupes" ] || { echo "gen-figures: several commands write $dupes" >&2; status=1; }
  if [ $presence_only = 1 ]; then
    [ $status = 0 ] && echo "gen-figures: $(wc -w <<<"$shown") figures shown in docs, all present (not compared)"
    exit $status
  fi
  [ -x "$tapegrad" ] || { echo "gen-figures: $tapegrad not found or not executable (build first)" >&2; exit 2; }
  python=${PYTHON:-/usr/bin/python3}
  [ -x "$python" ] || python=python3
  fresh=$(mktemp -d)
  trap 'rm -rf "$fresh"' EXIT
  compared=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    name=${line##*/}
    if [[ $line != "tapegrad graph "* ]]; then
      # gradflow and inspect draw from trained checkpoints (hours of training); their figures are records.
      echo "gen-figures: $name not compared (made by '${line%% --*}' from a trained checkpoint)"
      continue
    fi
    [ -f "$figures/$name" ] || continue  # reported above
    if [ -n "$(missing_checkpoints "$line")" ]; then
      echo "gen-figures: $name not compared (its checkpoint is missing: trained by the doc's command)"
      continue
    fi
    [[ $name == *.svg ]] || { echo "gen-figures: $name: only SVG figures can be compared" >&2; status=1; continue; }
    if ! log=$(run_figure "$line" "$fresh/$name" 2>&1); then
      printf '%s\n' "$log" >&2; echo "gen-figures: '$line' failed" >&2; status=1; continue
    fi
    if ! "$python" scripts/svg_structure.py "$figures/$name" "$fresh/$name" >&2; then
      echo "gen-figures: $figures/$name is stale: it is not what '$line' draws now (run scripts/gen-figures.sh)" >&2
      status=1
    fi
    compared=$((compared + 1))
  done <<<"$commands"
  [ $status = 0 ] &&
    echo "gen-figures: $(wc -w <<<"$shown") figures shown in docs, all present; $compared compared with a fresh drawing, all current"
  exit $status
fi

[ -x "$tapegrad" ] || { echo "gen-figures: $tapegrad not found or not executable (build first)" >&2; exit 2; }
mkdir -p "$out"
written=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  missing=$(missing_checkpoints "$line")
  if [ -n "$missing" ]; then
    echo "gen-figures: kept ${line##* } as it is: $(tr '\n' ' ' <<<"$missing")missing (trained by scripts/brown-experiments.sh or the doc's command)"
    continue
  fi
  run_figure "$line" "$out/${line##*/}" || { echo "gen-figures: '$line' failed" >&2; exit 1; }
  written=$((written + 1))
done <<<"$commands"
[ "$out" = docs/figures ] || { echo "gen-figures: $written figures written to $out/"; exit 0; }
# Figures no command makes any more.
for f in docs/figures/*; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  [[ $name == *.csv ]] && name=${name%.csv}.svg  # a gradflow figure's data
  grep -qx "$name" <<<"$made" || { rm -f "$f"; echo "gen-figures: removed stale $f"; }
done
echo "gen-figures: $written figures written to docs/figures/"
