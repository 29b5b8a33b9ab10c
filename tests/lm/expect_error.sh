#!/bin/sh
# Runs a command that must fail the way tapegrad reports a user error: exit status 2 and a message matching an
# extended regular expression (e.g. "file.txt:2: invalid UTF-8"). Prints the command's output either way.
# Usage: expect_error.sh REGEX COMMAND [ARGS...]
regex=$1
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 2 ]; then
  echo "expect_error: exit status $status, expected 2"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "expect_error: no output line matches: $regex"
  exit 1
fi
