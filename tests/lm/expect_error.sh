#!/bin/sh
# Runs a command that must fail the way tapegrad reports a user error: exit status 2 (or the one --status gives, e.g.
# 1 for a docs check that finds a stale doc) and a message matching an extended regular expression (e.g.
# "file.txt:2: invalid UTF-8"). Prints the command's output either way.
# Usage: expect_error.sh [--status N] REGEX COMMAND [ARGS...]
expected=2
if [ "$1" = "--status" ]; then
  expected=$2
  shift 2
fi
regex=$1
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne "$expected" ]; then
  echo "expect_error: exit status $status, expected $expected"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "expect_error: no output line matches: $regex"
  exit 1
fi
