#!/usr/bin/env python3
"""Checks the tool output that docs quote in their prose (node names, ops, counts), for scripts/gen-docs.sh.

Whole outputs are embedded in `<!-- generated: tapegrad … -->` blocks, which gen-docs.sh rewrites. Prose that
talks about such an output ("`v9 = tanh(v8)` is h₁", "`select(v16, 1)` is the cell state") cannot be rewritten by
a script, so it is checked instead. A region of a doc
    <!-- quotes: tapegrad ARGS -->
    … prose …
    <!-- end quotes -->
declares that every inline code span (`…`) in it is quoted from the output of `tapegrad ARGS`, run from the
repository root. The output is what the command prints (stdout and stderr) and, for a command that writes a figure
(`-o FILE.svg|png|pdf`), the DOT text of that figure (the command is run with `-o TMP.dot` instead): node labels
such as `v3 = linear(v0, v2, v1)`, cluster labels, module boxes. A span matches when it occurs within one line of
that output, with:
  - runs of white space collapsed, DOT and HTML escapes undone;
  - `…` (or `...`) in the span standing for any text on the line (`linear(…)`, `stack(v13, …)`);
  - word boundaries at its ends (`v1` does not match inside `v17`);
  - a tape-dump line `v9   t=1  tanh(v8)   1×2` also read as `v9 = tanh(v8)`.
A span that does not match is reported with the doc's line, and the exit status is 1: the doc says something the
tool no longer prints. Spans that are command-line options (starting with `--`, like `--stats`) are input, not
quotes, and are skipped.

A fenced ```text block inside a region is a transcript: its lines starting with "$ " must be the region's own
command (`$ tapegrad ARGS`), and every other non-empty line must equal a whole line of the output (white space
collapsed, `…` standing for any text). Other fenced blocks (```sh, ```cpp) are not checked. A command expected to
fail — a transcript of an error message — is written `<!-- quotes (exit 2): tapegrad ARGS -->`: it must then exit
with that status (by default, 0).

Usage: check_quotes.py --tapegrad PATH DOC.md...      (exit 0: all quotes found; 1: stale quotes; 2: bad usage)
Standard library only.
"""
import html
import os
import re
import shlex
import subprocess
import sys
import tempfile

OPEN = re.compile(r"^<!-- quotes(?: \(exit (\d+)\))?: tapegrad (.*) -->$")
CLOSE = "<!-- end quotes -->"
FIGURE = re.compile(r"\.(svg|png|pdf)$")
DUMP_LINE = re.compile(r"^\s*(v\d+)\s{2,}\S+\s{2,}(.+?)\s{2,}\S+\s*$")


def normalise(text):
    return " ".join(text.split())


def output_lines(tapegrad, args, status, where):
    """The lines a quote may come from: the command's printed output, plus the DOT text of a figure it writes."""
    words = shlex.split(args)
    with tempfile.TemporaryDirectory() as tmp:
        dot = None
        for i, word in enumerate(words[:-1]):
            if word in ("-o", "--output") and FIGURE.search(words[i + 1]):
                dot = os.path.join(tmp, "figure.dot")
                words[i + 1] = dot
        run = subprocess.run([tapegrad] + words, capture_output=True, text=True)
        if run.returncode != status:
            raise RuntimeError(f"{where}: `tapegrad {args}` exited with status {run.returncode}, not {status}:\n"
                               f"{run.stdout}{run.stderr}")
        text = run.stdout + "\n" + run.stderr
        if dot:
            with open(dot, encoding="utf-8") as f:
                text += "\n" + f.read()
    lines = []
    for raw in text.splitlines():
        line = html.unescape(raw.replace("\\|", "|").replace('\\"', '"').replace("\\n", " ").replace("\\l", " "))
        lines.append(normalise(line))
        dump = DUMP_LINE.match(raw)
        if dump:
            lines.append(f"{dump.group(1)} = {normalise(dump.group(2))}")
    return lines


def span_pattern(span, whole_line=False):
    parts = re.split(r"…|\.\.\.", normalise(span))
    body = ".*?".join(re.escape(p) for p in parts)
    if whole_line:
        return re.compile("^" + body + "$")
    if re.match(r"\w", span.strip()):
        body = r"(?<!\w)" + body
    if re.search(r"\w$", span.strip()):
        body += r"(?!\w)"
    return re.compile(body)


def regions(path):
    """(line of the opening comment, tapegrad args, expected exit status, [(line, prose)…], [(line, transcript)…])
    for every region of the doc."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    found, current, fenced = [], None, None
    for number, line in enumerate(lines, 1):
        opening = OPEN.match(line)
        if opening:
            if current:
                raise RuntimeError(f"{path}:{number}: a quotes region opens inside the one of line {current[0]}")
            current = (number, opening.group(2), int(opening.group(1) or 0), [], [])
        elif line == CLOSE:
            if not current:
                raise RuntimeError(f"{path}:{number}: '{CLOSE}' without a region to close")
            found.append(current)
            current = None
        elif current:
            if line.startswith("```"):
                fenced = None if fenced else line[3:].strip() or "none"
            elif fenced == "text":
                current[4].append((number, line))
            elif not fenced:
                current[3].append((number, line))
    if current:
        raise RuntimeError(f"{path}:{current[0]}: the quotes region has no '{CLOSE}'")
    return found


def spans(text_lines):
    """Inline code spans with the line they start on; a span may run over a line break, as in Markdown."""
    joined = "\n".join(text for _, text in text_lines)
    starts = [number for number, _ in text_lines]
    for match in re.finditer(r"`([^`]+)`", joined):
        yield starts[joined.count("\n", 0, match.start())], match.group(1)


def main(argv):
    if len(argv) < 3 or argv[1] != "--tapegrad":
        print(__doc__.split("Usage: ")[1].split("Standard")[0], file=sys.stderr)
        return 2
    tapegrad, docs = argv[2], argv[3:]
    stale = checked = 0
    try:
        for doc in docs:
            for opened, args, status, text, transcript in regions(doc):
                lines = output_lines(tapegrad, args, status, f"{doc}:{opened}")
                for number, line in transcript:
                    if not line.strip():
                        continue
                    checked += 1
                    if line.startswith("$ "):
                        if normalise(line[2:]) != normalise("tapegrad " + args):
                            print(f"{doc}:{number}: the transcript shows `{line[2:]}`, but the region runs "
                                  f"`tapegrad {args}`", file=sys.stderr)
                            stale += 1
                    elif not any(span_pattern(line, whole_line=True).search(out) for out in lines):
                        print(f"{doc}:{number}: the line '{line}' is not in the output of `tapegrad {args}`",
                              file=sys.stderr)
                        stale += 1
                quoted = list(spans(text))
                if not quoted and not transcript:
                    raise RuntimeError(f"{doc}:{opened}: the quotes region quotes nothing (no `code` in it)")
                for number, span in quoted:
                    if span.startswith("--"):
                        continue
                    checked += 1
                    pattern = span_pattern(span)
                    if not any(pattern.search(line) for line in lines):
                        print(f"{doc}:{number}: `{span}` is not in the output of `tapegrad {args}`", file=sys.stderr)
                        stale += 1
    except (RuntimeError, OSError, ValueError) as e:
        print(f"check_quotes: {e}", file=sys.stderr)
        return 1
    if stale:
        print(f"check_quotes: {stale} of {checked} quoted fragments are stale: rewrite the prose from the tool's "
              "output", file=sys.stderr)
        return 1
    print(f"check_quotes: {checked} quoted fragments in {len(docs)} docs, all found in the tool's output")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
