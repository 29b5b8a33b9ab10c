#!/bin/sh
# `train --max-time B` bounds the wall time of the whole command: reading the data, training and the final
# evaluation together take at most B + 10% (plus the start of the process, measured with `train --help`). The
# first line on stdout (data:) is flushed at once, before training, although stdout is a pipe.
# Usage: max_time.sh BUDGET TAPEGRAD TRAIN-ARGS...
budget=$1
cli=$2
shift 2
now() { date +%s.%N; }
t0=$(now)
"$cli" train --help >/dev/null || exit 1
startup=$(awk "BEGIN { print $(now) - $t0 }")
t0=$(now)
"$cli" train --max-time "$budget" "$@" | {
  IFS= read -r first
  t_first=$(now)
  rest=$(cat)
  t_end=$(now)
  printf '%s\n%s\n' "$first" "$rest"
  took=$(awk "BEGIN { print $t_end - $t0 }")
  first_at=$(awk "BEGIN { print $t_first - $t0 }")
  limit=$(awk "BEGIN { print $budget * 1.1 + $startup }")
  echo "max_time: the command took ${took} s for --max-time $budget (limit $limit s: 10% and a start of $startup s); the first line came after ${first_at} s"
  case $first in data:*) ;; *) echo "max_time: the first line is not data:"; exit 1 ;; esac
  if awk "BEGIN { exit !($took > $limit) }"; then echo "max_time: over the limit"; exit 1; fi
  if awk "BEGIN { exit !($first_at > $budget * 0.9) }"; then echo "max_time: the data: line came late"; exit 1; fi
  echo "max_time: within"
}
