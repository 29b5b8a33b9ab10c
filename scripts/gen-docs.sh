#!/usr/bin/env bash
# Regenerates the tool output embedded in docs/*.md, so the docs never drift from the code.
# A block looks like this in the markdown source:
#   <!-- generated: tapegrad demo --steps 2 --tape-only -->
#   ```text
#   (output of the command, replaced on every run)
#   ```
#   <!-- end generated -->
# Prose that quotes such output (node names like `v9 = tanh(v8)`, op names, counts) cannot be regenerated; it is
# checked instead. A region
#   <!-- quotes: tapegrad graph --cell mlp -o docs/figures/mlp.svg -->
#   … prose whose every `code span` is quoted from that command's output (or its figure's DOT text) …
#   <!-- end quotes -->
# fails the run when one of its spans no longer occurs in the output (scripts/check_quotes.py says the rules).
# Whatever the docs quote from the tool goes into one of the two.
# Usage: scripts/gen-docs.sh [--check] [--docs DIR] [--tapegrad PATH]
#   --check      compare only; exit 1 and show a diff if any doc is out of date (run by CTest)
#   --docs DIR   the docs to process (default docs; absolute, or relative to the repository root, where the
#                commands run)
#   --tapegrad   the binary to run (default build/apps/tapegrad)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
docs=docs
tapegrad=build/apps/tapegrad
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --docs) docs=$2; shift ;;
    --tapegrad) tapegrad=$2; shift ;;
    *) echo "gen-docs: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$tapegrad" ] || { echo "gen-docs: $tapegrad not found or not executable (build first)" >&2; exit 2; }

render() {  # render DOC > stdout
  local doc=$1 line skipping=0 cmd
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^\<\!--\ generated:\ tapegrad\ (.*)\ --\>$ ]]; then
      cmd=${BASH_REMATCH[1]}
      printf '%s\n```text\n' "$line"
      # shellcheck disable=SC2086  # the command's words are meant to split
      "$tapegrad" $cmd || { echo "gen-docs: '$cmd' failed in $doc" >&2; return 1; }
      printf '```\n'
      skipping=1
    elif [ $skipping = 1 ]; then
      if [ "$line" = "<!-- end generated -->" ]; then printf '%s\n' "$line"; skipping=0; fi
    else
      printf '%s\n' "$line"
    fi
  done <"$doc"
  [ $skipping = 0 ] || { echo "gen-docs: $doc: a generated block has no '<!-- end generated -->'" >&2; return 1; }
}

status=0
for doc in "$docs"/*.md; do
  grep -q '^<!-- generated: ' "$doc" || continue
  fresh=$(mktemp)
  render "$doc" >"$fresh"
  if [ $check = 1 ]; then
    if ! diff -u "$doc" "$fresh"; then
      echo "gen-docs: $doc is out of date with the code: run scripts/gen-docs.sh" >&2
      status=1
    fi
    rm -f "$fresh"
  elif ! cmp -s "$doc" "$fresh"; then
    mv "$fresh" "$doc"
    echo "gen-docs: updated $doc"
  else
    rm -f "$fresh"
  fi
done

# Quoted fragments in prose: checked in both modes (a script cannot rewrite prose).
mapfile -t quoting < <(grep -l -E '^<!-- quotes( \(exit [0-9]+\))?: tapegrad ' "$docs"/*.md || true)
if [ ${#quoting[@]} -gt 0 ]; then
  python=${PYTHON:-/usr/bin/python3}
  [ -x "$python" ] || python=python3
  "$python" scripts/check_quotes.py --tapegrad "$tapegrad" "${quoting[@]}" || status=1
fi
exit $status
