#!/bin/sh
# Runs a docs check that must fail: exit status 1 (a stale doc or figure, not a usage error: that is 2) and an
# output line matching an extended regular expression (the stale fragment or file named). Prints the output.
# Usage: expect_failure.sh REGEX COMMAND [ARGS...]
regex=$1
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 1 ]; then
  echo "expect_failure: exit status $status, expected 1"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "expect_failure: no output line matches: $regex"
  exit 1
fi
