#!/usr/bin/env python3
"""The numpy-only half of python/tapegrad_torch, checked against the tapegrad CLI (no torch needed):

  1. a window model written from numpy (tapegrad_torch.safetensors_io + the vocabulary escapes: tokens with a
     backslash, a non-ASCII letter, a control byte) is a checkpoint `tapegrad eval` loads, and the perplexity it
     prints equals the one numpy computes from the formula of lm/neural/window_lm.hpp (1e-4 relative);
  2. the tokenizer counts the tokens and unknown tokens of a text as `tapegrad eval --batch-size 1` does;
  3. the vocabulary text read back and written again is the same text;
  4. one flipped bit in the data section: both the Python reader and `tapegrad eval` refuse the file (checksum).

Exit 0: passed; 1: failed; 77: skipped (no numpy).
"""
import argparse
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tapegrad", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    try:
        import numpy as np
    except ImportError as e:
        print(f"SKIP: this Python ({sys.executable}) cannot import numpy ({e}); install python3-numpy")
        return 77
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(a.source_dir, "python"))
    from tapegrad_torch import Tokenizer, make_config, read_checkpoint, safetensors_io
    work = os.path.join(a.work, "numpy")
    os.makedirs(work, exist_ok=True)
    failures = []

    def expect(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    def tapegrad(*args):
        return subprocess.run([a.tapegrad, *args], capture_output=True, text=True)

    tokens = ["<unk>", "</s>", "the", "café", "back\\slash", "tab\x01ctl", "dog", "ran", "Zoë"]
    tok = Tokenizer(tokens, "word")
    V, E, H, n = len(tokens), 3, 5, 2
    rng = np.random.default_rng(7)
    t = {"embedding.table": rng.normal(0, 0.5, (V, E)), "hidden.W": rng.normal(0, 0.5, (n * E, H)),
         "hidden.b": rng.normal(0, 0.5, H), "output.W": rng.normal(0, 0.5, (H, V)), "output.b": rng.normal(0, 0.5, V),
         "direct.W": rng.normal(0, 0.5, (n * E, V))}
    t = {k: v.astype(np.float32) for k, v in t.items()}
    config = make_config(model="window", vocab=V, emsize=E, nhid=H, nlayers=1, context=n, direct=True,
                         init_range=0.0)
    ckpt = os.path.join(work, "window.safetensors")
    safetensors_io.write(ckpt, t, {"model_config": json.dumps(config), "vocab": tok.to_text(), "level": "word"})

    text = "the café ran\nback\\slash tab\x01ctl  Zoë\n\nthe unknown dog\tran\r\nwho\n"
    data = os.path.join(work, "text.txt")
    with open(data, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    ids, oov = tok.encode(text)

    # The perplexity from the formula: e = [E[w_{t−2}]; E[w_{t−1}]], logits = tanh(e·W + b)·U + c + e·D.
    f64 = {k: v.astype(np.float64) for k, v in t.items()}
    padded = [1] * n + ids
    nll = 0.0
    for i, target in enumerate(ids):
        e = np.concatenate([f64["embedding.table"][w] for w in padded[i:i + n]])
        logits = np.tanh(e @ f64["hidden.W"] + f64["hidden.b"]) @ f64["output.W"] + f64["output.b"] + e @ f64[
            "direct.W"]
        nll += np.log(np.exp(logits - logits.max()).sum()) + logits.max() - logits[target]
    ppl = float(np.exp(nll / len(ids)))

    r = tapegrad("eval", "--checkpoint", ckpt, "--data", data, "--json", "--batch-size", "1", "--threads", "1")
    expect(r.returncode == 0, f"tapegrad eval loads the checkpoint written from numpy {r.stderr.strip()}")
    if r.returncode == 0:
        got = json.loads(r.stdout)
        expect(abs(got["perplexity"] - ppl) <= 1e-4 * ppl,
               f"perplexity: numpy {ppl:.8g}, tapegrad {got['perplexity']:.8g}")
        expect(got["tokens"] == len(ids) and got["oov"] == oov == 2,
               f"tokens: tokenizer {len(ids)} ({oov} unknown), tapegrad {got['tokens']} ({got['oov']})")

    config2, tok2, tensors2, meta2 = read_checkpoint(ckpt)
    expect(tok2.tokens == tokens and tok2.to_text() == meta2["vocab"] and config2 == config,
           "vocabulary and configuration read back as written (escapes: " + meta2["vocab"].split("\n")[4] + ", " +
           meta2["vocab"].split("\n")[5] + ")")
    expect(all(np.array_equal(tensors2[k], t[k]) for k in t), "tensors read back as written")

    with open(ckpt, "rb") as f:
        raw = bytearray(f.read())
    raw[-3] ^= 0x10
    bad = os.path.join(work, "flipped.safetensors")
    with open(bad, "wb") as f:
        f.write(raw)
    try:
        safetensors_io.read(bad)
        expect(False, "the Python reader refuses a flipped bit")
    except safetensors_io.FormatError as e:
        expect("checksum" in str(e), f"the Python reader refuses a flipped bit: {e}")
    r = tapegrad("eval", "--checkpoint", bad, "--data", data)
    expect(r.returncode != 0 and "checksum" in r.stderr, f"tapegrad refuses it too: {r.stderr.strip()}")

    print("FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
