# Sourced by the multi-rank CLI checks: reads their arguments, MPIRUN_PREFIX… -- TAPEGRAD TEXT OUT_DIR, into
# $mpirun (ends with the -np flag: "$mpirun 2 prog" starts 2 ranks), $tapegrad and $out, and writes $out/text.txt,
# the first 40 kB of TEXT (a few seconds an epoch).
set -u
mpirun=""
while [ "$1" != "--" ]; do mpirun="$mpirun $1"; shift; done
shift
tapegrad=$1 text=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
head -c 40000 "$text" > "$out/text.txt"
