#!/usr/bin/env python3
"""The PyTorch interop test (docs/interop.md): one model kind per run, trained here with `tapegrad train`.

  1. perplexity: the checkpoint loaded in torch (float64) gives, on a held-out text, the perplexity `tapegrad eval
     --json` prints, to 1e-4 relative — with eval's default batching and with --batch-size 1 (every token counted),
     where the token and out-of-vocabulary counts must also agree (the tokenizer);
  2. gradients: one batch (dump_gradients, built beside this test) — the loss and every parameter's gradient from
     tapegrad and from torch's autograd, mapped to tapegrad's layout, agree to 1e-4 relative (‖Δ‖ ≤ 1e-4·‖g‖ for each
     tensor, and no element off by more than 1e-4·max|g|);
  3. round trip tapegrad → torch → tapegrad: the exported tensors and vocabulary are the original's, bit for bit;
  4. torch → tapegrad: the torch model after a few Adam steps in torch (which also makes torch's second biases
     non-zero) exported as a checkpoint: `tapegrad eval` gives torch's perplexity (1e-4), and `tapegrad generate` runs.

Exit 0: passed; 1: failed; 77: skipped (no torch or numpy in this Python).

  test_torch_interop.py --case lstm --tapegrad build/apps/tapegrad --dump-gradients build/tests/interop/dump_gradients
                        --source-dir . --work build/tests/interop/work
"""
import argparse
import json
import os
import subprocess
import sys

CASES = {
    # name: (train flags, level)
    "lstm": (["--model", "lstm", "--nlayers", "2", "--emsize", "24", "--nhid", "24", "--tied", "--dropout", "0.1"],
             "char"),
    "gru": (["--model", "gru", "--gru-reset-after", "--nlayers", "2", "--emsize", "16", "--nhid", "24"], "char"),
    "gru_lecture": (["--model", "gru", "--nlayers", "2", "--emsize", "16", "--nhid", "24", "--dropout", "0.1"],
                    "char"),
    "rnn": (["--model", "rnn", "--nlayers", "1", "--emsize", "20", "--nhid", "20", "--tied"], "word"),
    "window": (["--model", "window", "--context", "3", "--emsize", "8", "--nhid", "16", "--direct",
                "--dropout", "0.1", "--init-range", "0"], "word"),
}
TOL = 1e-4


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--tapegrad", required=True)
    ap.add_argument("--dump-gradients", required=True)
    ap.add_argument("--source-dir", required=True, help="the repository (python/, data/, tests/lm/data/)")
    ap.add_argument("--work", required=True, help="a folder for the data, checkpoints and gradients")
    a = ap.parse_args()
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        print(f"SKIP: this Python ({sys.executable}) cannot import torch and numpy ({e}); install python3-torch and "
              f"python3-numpy (scripts/setup.sh) or configure with -DTAPEGRAD_INTEROP_PYTHON=<a python with torch>")
        return 77
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(a.source_dir, "python"))
    work = os.path.join(a.work, a.case)
    os.makedirs(work, exist_ok=True)
    failures = Check(a, work).run()
    for f in failures:
        print("FAIL:", f)
    print(f"{a.case}: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


def rel(a, b):
    return abs(a - b) / abs(b)


class Check:
    def __init__(self, args, work):
        self.a, self.work, self.failures = args, work, []

    def expect(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def tapegrad(self, *args):
        r = subprocess.run([self.a.tapegrad, *args], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"tapegrad {' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
        return r.stdout

    def eval_json(self, checkpoint, data, *flags):
        return json.loads(self.tapegrad("eval", "--checkpoint", checkpoint, "--data", data, "--json", "--threads", "1",
                                        *flags))

    def data(self, level):
        """(training folder, held-out file): char level from data/tinyshakespeare.txt, word level from tests/lm/data."""
        folder = os.path.join(self.work, "data")
        os.makedirs(folder, exist_ok=True)
        if level == "char":
            with open(os.path.join(self.a.source_dir, "data", "tinyshakespeare.txt"), encoding="utf-8") as f:
                text = f.read(60000)
            parts, rest = [], text
            for size in (30000, 3000, 3000, 3000):  # train, valid, test, held out: whole lines
                cut = rest.rfind("\n", 0, size) + 1
                parts.append(rest[:cut])
                rest = rest[cut:]
            held_out = parts[3] + "Zoë's café — 10 ~ tokens\tthe vocabulary lacks\n\nLast line, no newline"
        else:
            src = os.path.join(self.a.source_dir, "tests", "lm", "data", "tiny-lm")
            parts = []
            for name in ("train", "valid", "test"):
                with open(os.path.join(src, name + ".txt"), encoding="utf-8") as f:
                    parts.append(f.read())
            held_out = parts[2] + "the zebra ran  to\tthe moon\r\n\n   \nsun cat\n"
        for name, body in zip(("train", "valid", "test"), parts):
            with open(os.path.join(folder, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(body)
        path = os.path.join(self.work, "held_out.txt")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(held_out)
        return folder, path

    def run(self):
        import numpy as np
        import torch
        import tapegrad_torch as tt

        torch.set_num_threads(1)  # tests run beside each other on a small machine
        flags, level = CASES[self.a.case]
        folder, held_out = self.data(level)
        ckpt = os.path.join(self.work, "model.safetensors")
        self.tapegrad("train", "--data", folder, "--level", level, *flags, "--epochs", "2", "--batch-size", "8",
                      "--bptt", "16", "--optimizer", "adam", "--lr", "0.01", "--seed", "1", "--threads", "1",
                      "--quiet", "--save", ckpt)

        # 1. Perplexity on the held-out text, both ways.
        model, tok = tt.load(ckpt, dtype=torch.float64)
        ids, oov = tok.encode_file(held_out)
        for batch in (10, 1):
            got = self.eval_json(ckpt, held_out, "--batch-size", str(batch))
            total, n = tt.loss_and_count(model, ids, batch=batch)
            ppl = float(np.exp(total / n))
            self.expect(rel(ppl, got["perplexity"]) <= TOL,
                        f"perplexity, batch {batch}: torch {ppl:.10g}, tapegrad {got['perplexity']:.10g} "
                        f"(relative {rel(ppl, got['perplexity']):.2e})")
            self.expect(n == got["tokens"] and oov == got["oov"],
                        f"tokens counted, batch {batch}: torch {n} ({oov} out of vocabulary), "
                        f"tapegrad {got['tokens']} ({got['oov']})")
        self.expect(oov > 0, f"the held-out text has tokens outside the vocabulary ({oov})")

        # 2. One batch: loss and gradients.
        batch, bptt = 4, 12
        grads_path = os.path.join(self.work, "gradients.safetensors")
        subprocess.run([self.a.dump_gradients, ckpt, held_out, str(batch), str(bptt), grads_path], check=True,
                       capture_output=True)
        tg, _ = tt.safetensors_io.read(grads_path)
        model.zero_grad()
        if model.config["model"] == "window":
            contexts, targets = tt.window_contexts(ids, model.config["context"], 0, batch * bptt)
            loss = torch.nn.functional.cross_entropy(model(contexts), targets)
        else:
            inputs, targets = tt.stream_window(ids, batch, bptt)
            logits, _ = model(inputs)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss.backward()
        self.expect(rel(float(tg["loss"][0]), loss.item()) <= TOL,
                    f"batch loss: torch {loss.item():.8f}, tapegrad {float(tg['loss'][0]):.8f}")
        torch_grads = tt.to_tapegrad({k: p.grad for k, p in model.named_parameters()}, model.config, gradients=True)
        tg_grads = {k[len("grad."):]: v for k, v in tg.items() if k.startswith("grad.")}
        self.expect(sorted(torch_grads) == sorted(tg_grads),
                    f"the same parameters both ways: {sorted(torch_grads)} vs {sorted(tg_grads)}")
        for name in sorted(set(torch_grads) & set(tg_grads)):
            g, t = torch_grads[name].astype(np.float64), tg_grads[name].astype(np.float64)
            norm = np.linalg.norm(g)
            d = np.linalg.norm(g - t)
            worst = np.abs(g - t).max()
            self.expect(norm > 0 and d <= TOL * norm and worst <= TOL * np.abs(g).max(),
                        f"gradient {name} {list(g.shape)}: ‖Δ‖/‖g‖ = {d / max(norm, 1e-300):.2e}, "
                        f"max|Δ|/max|g| = {worst / max(np.abs(g).max(), 1e-300):.2e}")

        # 3. tapegrad → torch → tapegrad: the same tensors, bit for bit, and the same vocabulary.
        model32, _ = tt.load(ckpt)
        back = os.path.join(self.work, "round_trip.safetensors")
        tt.save(model32, back, tok)
        orig, orig_meta = tt.safetensors_io.read(ckpt)
        again, again_meta = tt.safetensors_io.read(back)
        orig = {k: v for k, v in orig.items() if not k.startswith("optim.") and k != "rng.state"}
        self.expect(sorted(orig) == sorted(again) and all(np.array_equal(orig[k], again[k]) for k in orig),
                    f"round trip: {len(again)} tensors equal to the checkpoint's, bit for bit")
        self.expect(again_meta["vocab"] == orig_meta["vocab"] and again_meta["level"] == orig_meta["level"],
                    "round trip: the same vocabulary text and level")

        # 4. torch → tapegrad: a few Adam steps in torch, then export and evaluate with the CLI.
        torch.manual_seed(0)
        model32.train()
        opt = torch.optim.Adam(model32.parameters(), lr=0.03)
        train_ids, _ = tok.encode_file(os.path.join(folder, "train.txt"))
        for step in range(10):
            opt.zero_grad()
            if model32.config["model"] == "window":
                c, t = tt.window_contexts(train_ids, model32.config["context"], step * 64, step * 64 + 64)
                loss = torch.nn.functional.cross_entropy(model32(c), t)
            else:
                inputs, targets = tt.stream_window(train_ids, 8, 16, step)
                logits, _ = model32(inputs)
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            loss.backward()
            opt.step()
        model32.eval()
        exported = os.path.join(self.work, "from_torch.safetensors")
        tt.save(model32, exported, tok)
        torch_ppl = tt.perplexity(model32.double(), ids)
        got = self.eval_json(exported, held_out)
        before = self.eval_json(ckpt, held_out)["perplexity"]
        self.expect(rel(torch_ppl, before) > 1e-3,
                    f"torch's training moved the model (perplexity {before:.6g} → {torch_ppl:.6g})")
        self.expect(rel(torch_ppl, got["perplexity"]) <= TOL,
                    f"exported from torch: tapegrad eval {got['perplexity']:.10g}, torch {torch_ppl:.10g} "
                    f"(relative {rel(torch_ppl, got['perplexity']):.2e})")
        text = self.tapegrad("generate", "--checkpoint", exported, "--length", "20", "--seed", "3", "--threads", "1")
        self.expect(len(text.strip()) > 0, f"tapegrad generate with the exported model: {text.strip()[:60]!r}")
        return self.failures


if __name__ == "__main__":
    sys.exit(main())
