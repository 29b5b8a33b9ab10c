#!/usr/bin/env python3
"""Runs the Python snippets of docs/checkpoints.md §5 on a checkpoint trained for the purpose, and checks what they
print against what tapegrad itself reported, so the doc's code cannot drift from the files tapegrad writes.

A snippet is the ```python block right under a line starting with "<!-- tested by tests/docs/check_python_snippet.py".
The first one (standard library + numpy) must, run in a folder holding lm.safetensors:
  - print first "<model> <layers>×<hidden>, vocab <V>, <P> parameters" where model, layers and hidden are those the
    doc's own `tapegrad train …` command asks for, and V and P are the vocabulary size and parameter count from
    the "model:" line tapegrad printed while training (counted by the C++ code, not by the snippet);
  - print "embedding.table V×emsize" and "decoder.W hidden×V" among the shapes;
  - show exactly the fragments the paragraph under it quotes (`…` spans).
The second one (the safetensors package) runs only when that package is installed.

Usage: check_python_snippet.py TAPEGRAD DOC.md TRAIN_TEXT WORKDIR
Exit 0: fine; 1: the doc is wrong; 77: skipped (this Python has no numpy), with a message saying so.
"""
import os
import re
import shlex
import subprocess
import sys

MARK = "<!-- tested by tests/docs/check_python_snippet.py"


def fail(message):
    print(f"check_python_snippet: {message}")
    sys.exit(1)


def snippets(doc):
    """[(snippet text, the paragraph after its block)] for every marked block of the doc."""
    lines = open(doc, encoding="utf-8").read().split("\n")
    found = []
    for i, line in enumerate(lines):
        if not line.startswith(MARK):
            continue
        if i + 1 >= len(lines) or lines[i + 1] != "```python":
            fail(f"{doc}:{i + 1}: the marker is not followed by a ```python block")
        end = lines.index("```", i + 2)
        after = []
        for line in lines[end + 1:]:
            if line.strip() == "" and after:
                break
            if line.strip():
                after.append(line)
        found.append(("\n".join(lines[i + 2:end]) + "\n", " ".join(after)))
    return found


def run_snippet(code, workdir, name):
    path = os.path.join(workdir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(code)
    run = subprocess.run([sys.executable, path], cwd=workdir, capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"the snippet {name} failed (exit status {run.returncode}):\n{run.stdout}{run.stderr}")
    print(f"--- output of {name}:\n{run.stdout}", end="")
    return run.stdout.splitlines()


def main(argv):
    if len(argv) != 5:
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        return 2
    tapegrad, doc, train_text, workdir = argv[1:]
    try:
        import numpy  # noqa: F401  (the first snippet needs it)
    except ImportError:
        print(f"check_python_snippet: SKIPPED: {sys.executable} has no numpy, which the snippet of {doc} uses "
              "(Debian: apt install python3-numpy)")
        return 77
    found = snippets(doc)
    if not found:
        fail(f"{doc}: no block marked '{MARK} …'")
    code, after = found[0]

    # The training command the paragraph names, run on the small text with one epoch.
    quoted = re.findall(r"`([^`]+)`", after)
    command = next((q for q in quoted if q.startswith("tapegrad train ")), None)
    if command is None:
        fail(f"{doc}: the paragraph under the first snippet names no `tapegrad train …` command")
    flags = shlex.split(command)[2:]
    wanted = dict(zip(flags[::2], flags[1::2]))
    os.makedirs(workdir, exist_ok=True)
    checkpoint = os.path.join(workdir, "lm.safetensors")
    train = subprocess.run([tapegrad, "train", *flags, "--data", train_text, "--epochs", "1", "--threads", "1",
                            "--save", checkpoint], capture_output=True, text=True)
    if train.returncode != 0:
        fail(f"training failed (exit status {train.returncode}):\n{train.stdout}{train.stderr}")
    model_line = next((l for l in train.stdout.splitlines() if l.startswith("model: ")), None)
    match = model_line and re.search(r"vocab (\d+),.*\| ([\d,]+) parameters", model_line)
    if not match:
        fail(f"no 'model: … vocab V, … | P parameters' line in the output of tapegrad train:\n{train.stdout}")
    vocab, parameters = int(match.group(1)), int(match.group(2).replace(",", ""))

    out = run_snippet(code, workdir, "snippet.py")
    expected = (f"{wanted['--model']} {wanted['--nlayers']}×{wanted['--nhid']}, vocab {vocab}, "
                f"{parameters} parameters")
    if not out or out[0] != expected:
        fail(f"the snippet's first line is {out[0] if out else '(nothing)'!r}, expected {expected!r} "
             f"(from the training flags and tapegrad's line: {model_line})")
    for shape_line in (f"embedding.table {vocab}×{wanted['--emsize']}", f"decoder.W {wanted['--nhid']}×{vocab}"):
        if shape_line not in out:
            fail(f"the snippet does not print {shape_line!r}")
    for span in quoted:
        if span.startswith("tapegrad ") or span == "…":
            continue
        if not any(span == line or line.startswith(span + ",") for line in out) and span not in out[0]:
            fail(f"{doc}: the paragraph quotes `{span}`, which the snippet does not print")

    for i, (code, _) in enumerate(found[1:], 2):
        if "safetensors import" in code:
            try:
                import safetensors  # noqa: F401
            except ImportError:
                print(f"check_python_snippet: snippet {i} not run: the safetensors package is not installed")
                continue
        run_snippet(code, workdir, f"snippet{i}.py")
    print(f"check_python_snippet: the snippets of {doc} run, and print what tapegrad reported ({model_line})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
