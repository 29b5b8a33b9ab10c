#!/bin/sh
# Runs a command that must succeed and print text that is valid UTF-8 and holds at least one multi-byte character
# (e.g. a character model trained on Greek generating Greek). Prints the command's output either way.
# Usage: expect_utf8_text.sh COMMAND [ARGS...]
out=$("$@")
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 0 ]; then
  echo "expect_utf8_text: exit status $status, expected 0"
  exit 1
fi
if ! printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
  echo "expect_utf8_text: the output is not valid UTF-8"
  exit 1
fi
if ! printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\200-\377]')"; then
  echo "expect_utf8_text: the output has no multi-byte character"
  exit 1
fi
