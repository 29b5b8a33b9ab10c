#!/bin/sh
# Faults on one rank end the job on every rank, soon, with a message naming the rank and the cause; the last
# checkpoint stays intact and --resume continues from it (docs/distributed.md, "Faults"):
#   1. a bad file on one rank (an MPMD launch: rank 1 is given a --data that does not exist)
#   2. a rank killed (SIGKILL) in the middle of an epoch, after the first epoch's checkpoint was written
# Usage: check_rank_faults.sh MPIRUN_PREFIX… -- TAPEGRAD TEXT OUT_DIR   (MPIRUN_PREFIX ends with the -np flag)
. "$(dirname "$0")/ranks_args.sh"
fail() { echo "check_rank_faults: $*"; exit 1; }
flags="--level char --model lstm --emsize 16 --nhid 32 --nlayers 1 --batch-size 8 --bptt 20 --dropout 0
  --max-valid-tokens 500 --quiet"

# 1. Rank 1 cannot read its data.
start=$(date +%s)
timeout 120 $mpirun 1 "$tapegrad" train --data "$out/text.txt" $flags --epochs 1 : \
  -np 1 "$tapegrad" train --data "$out/missing.txt" $flags --epochs 1 > "$out/bad.log" 2>&1
status=$?
cat "$out/bad.log"
[ "$status" -ne 0 ] || fail "the job succeeded although rank 1 had no data"
[ "$status" -ne 124 ] || fail "the job hung (timeout) after rank 1 failed"
[ $(( $(date +%s) - start )) -le 60 ] || fail "the job took more than 60 s to end"
grep -q 'rank 1 of 2.*error:.*missing.txt' "$out/bad.log" || fail "no message naming rank 1 and the missing file"

# 2. A rank killed mid-epoch.
$mpirun 2 "$tapegrad" train --data "$out/text.txt" $flags --epochs 1000 --save "$out/k/m.safetensors" \
  > "$out/kill.log" 2>&1 &
job=$!
waited=0
until [ -s "$out/k/m.last.safetensors" ]; do  # the first epoch is done and saved
  sleep 0.2
  waited=$((waited + 1))
  [ $waited -le 1500 ] || { kill $job; fail "no checkpoint after 300 s"; }
done
sleep 1  # into the second epoch
victim=""
for pid in $(pgrep -f -- "--save $out/k/m.safetensors"); do  # the rank whose environment says rank 1
  tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$pid
done
[ -n "$victim" ] || { kill $job; fail "rank 1's process was not found"; }
cp "$out/k/m.last.safetensors" "$out/before.safetensors"
killed=$(date +%s)
kill -9 "$victim"
wait $job
status=$?
cat "$out/kill.log"
[ "$status" -ne 0 ] || fail "the job exited 0 after a rank was killed"
[ $(( $(date +%s) - killed )) -le 30 ] || fail "the job took more than 30 s to end after the kill"
grep -Eq 'rank 1 .*(signal 9|Killed)' "$out/kill.log" || fail "mpirun's message does not name rank 1 and SIGKILL"
pgrep -f -- "--save $out/k/m.safetensors" > /dev/null && fail "a rank outlived the job"
# The checkpoint is whole (it may be a later epoch's than the copy: an epoch can end between copy and kill).
"$tapegrad" eval --checkpoint "$out/k/m.last.safetensors" --data "$out/text.txt" > "$out/eval.log" 2>&1 ||
  { cat "$out/eval.log"; fail "the last checkpoint does not load after the kill"; }
epochs=$(grep -c '^| epoch ' "$out/kill.log")
$mpirun 2 "$tapegrad" train --resume "$out/k/m.last.safetensors" --data "$out/text.txt" --epochs $((epochs + 1)) --quiet \
  > "$out/resume.log" 2>&1 || { cat "$out/resume.log"; fail "--resume after the kill failed"; }
grep -q 'resumed from' "$out/resume.log" || fail "no 'resumed from' line"
echo "check_rank_faults: ok"
