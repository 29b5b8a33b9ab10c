#!/bin/sh
# Checks the DOT text `tapegrad graph --model tagger … -o FILE.dot` writes: exit status 0, both directions' scopes
# ("t=<t>/layer0", "t=<t>/layer0_reverse") drawn as two row clusters, and two rank=same groups per step (the two
# cells' first nodes, their last nodes) — the alignment per token. Optionally a pattern that must occur too.
# Usage: check_tagger_dot.sh STEPS FILE.dot [--expect REGEX] COMMAND [ARGS...]   (COMMAND writes FILE.dot)
steps=$1
dot=$2
shift 2
extra=
if [ "$1" = --expect ]; then
  extra=$2
  shift 2
fi
rm -f "$dot"
"$@" || { echo "check_tagger_dot: the command failed (exit status $?)"; exit 1; }
fail() {
  echo "check_tagger_dot: $dot: $1"
  exit 1
}
last=$((steps - 1))
for t in 0 $last; do
  grep -q "tooltip=\"t=$t/layer0\"" "$dot" || fail "no node in scope t=$t/layer0"
  grep -q "tooltip=\"t=$t/layer0_reverse\"" "$dot" || fail "no node in scope t=$t/layer0_reverse"
done
grep -q 'label="layer0 →"' "$dot" || fail "no row cluster for the forward direction"
grep -q 'label="← layer0_reverse"' "$dot" || fail "no row cluster for the backward direction"
groups=$(grep -c '{rank=same;' "$dot")
[ "$groups" -ge $((2 * steps)) ] || fail "$groups rank=same groups, expected at least 2 per step ($((2 * steps)))"
if [ -n "$extra" ]; then grep -Eq -- "$extra" "$dot" || fail "nothing matches $extra"; fi
echo "check_tagger_dot: $dot has both directions as rows and $groups rank=same groups"
