#!/bin/sh
# `tapegrad train` on 2 ranks as a user runs it, then the checkpoint it wrote used by single-process commands, and
# checkpoints moved between rank counts (docs/distributed.md):
#   1. mpirun -np 2 train: exit 0, one voice (one data line, one line per epoch, the data-parallel line), files written
#   2. tapegrad eval (one process) reads the 2-rank checkpoint
#   3. one process resumes the 2-rank run's .last checkpoint; 3 ranks resume that one's in turn
# Usage: check_cli_ranks.sh MPIRUN_PREFIX… -- TAPEGRAD TEXT OUT_DIR   (MPIRUN_PREFIX ends with the -np flag)
. "$(dirname "$0")/ranks_args.sh"
fail() { echo "check_cli_ranks: $*"; exit 1; }
flags="--data $out/text.txt --level char --model lstm --emsize 16 --nhid 32 --nlayers 1 --batch-size 8 --bptt 20
  --dropout 0 --max-valid-tokens 500 --quiet"

# 1. Two ranks, one voice.
$mpirun 2 "$tapegrad" train $flags --epochs 2 --save "$out/m.safetensors" > "$out/two.log" 2>&1 ||
  { cat "$out/two.log"; fail "2-rank training failed"; }
cat "$out/two.log"
[ "$(grep -c '^data: ' "$out/two.log")" -eq 1 ] || fail "expected one data line (rank 0 alone speaks)"
[ "$(grep -c '^| epoch ' "$out/two.log")" -eq 2 ] || fail "expected one line per epoch, 2 in all"
grep -q '^data-parallel: 2 ranks' "$out/two.log" || fail "no data-parallel line"
for f in m.safetensors m.last.safetensors m.curve.csv m.curve.svg; do
  [ -s "$out/$f" ] || fail "$f was not written"
done

# 2. A single process reads it.
"$tapegrad" eval --checkpoint "$out/m.safetensors" --data "$out/text.txt" > "$out/eval.log" 2>&1 ||
  { cat "$out/eval.log"; fail "single-process eval of the 2-rank checkpoint failed"; }
grep -q 'perplexity' "$out/eval.log" || { cat "$out/eval.log"; fail "eval printed no perplexity"; }

# 3. 2 ranks → 1 process → 3 ranks.
"$tapegrad" train --resume "$out/m.last.safetensors" --data "$out/text.txt" --epochs 3 --save "$out/m.safetensors" --quiet > "$out/one.log" 2>&1 ||
  { cat "$out/one.log"; fail "one process could not resume the 2-rank checkpoint"; }
grep -q 'resumed from' "$out/one.log" || fail "no 'resumed from' line"
grep -q '^| epoch 3 ' "$out/one.log" || { cat "$out/one.log"; fail "the resumed run did not train epoch 3"; }
$mpirun 3 "$tapegrad" train --resume "$out/m.last.safetensors" --data "$out/text.txt" --epochs 4 --quiet > "$out/three.log" 2>&1 ||
  { cat "$out/three.log"; fail "3 ranks could not resume the 1-process checkpoint"; }
grep -q '^| epoch 4 ' "$out/three.log" || { cat "$out/three.log"; fail "the 3-rank run did not train epoch 4"; }
[ "$(grep -c '^| epoch ' "$out/three.log")" -eq 1 ] || fail "expected one epoch line from 3 ranks"
echo "check_cli_ranks: ok"
