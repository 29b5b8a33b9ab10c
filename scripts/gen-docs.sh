#!/usr/bin/env bash
# Regenerates the tool output embedded in docs/*.md, so the docs never drift from the code.
# A block looks like this in the markdown source:
#   <!-- generated: tapegrad demo --steps 2 --tape-only -->
#   ```text
#   (output of the command, replaced on every run)
#   ```
#   <!-- end generated -->
# Usage: scripts/gen-docs.sh [--check] [--tapegrad PATH]
#   --check      compare only; exit 1 and show a diff if any doc is out of date (run by CTest)
#   --tapegrad   the binary to run (default build/apps/tapegrad)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
tapegrad=build/apps/tapegrad
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
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
for doc in docs/*.md; do
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
exit $status
