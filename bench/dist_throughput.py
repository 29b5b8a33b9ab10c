#!/usr/bin/python3
"""dist_throughput.py -- training tokens/s of one configuration as 1 rank x 1 thread, 2 ranks x 1 thread (MPI) and
1 rank x 2 threads, back to back, with the same global batch (docs/distributed.md, "Measured on this machine").

Each run is `tapegrad train ... --json`; the rate is the `tokens_per_second` of its `epoch` lines (training steps
only: validation and the final evaluation are not in it; with several epochs, their mean). The three configurations
alternate within each round, and the table holds the median over --rounds rounds, then the ratios
2x1 / 1x1 (what a second rank buys over one thread) and 2x1 / 1x2 (ranks against threads on the same two cores).

  python3 bench/dist_throughput.py --data data/tinyshakespeare.txt --level char --max-time 30 --rounds 3
  python3 bench/dist_throughput.py --model lstm --nhid 256 --batch-size 32 --epochs 1 --rounds 5

The 2-rank run is `mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 tapegrad train ... --threads 1`
(--mpirun-args replaces the options). A run that fails (no mpirun, a tapegrad built without MPI, a rank that
aborts, or every rank printing its own run: a `train` that is not data-parallel) is reported with its command and
the reason (exit status and last lines printed), and the table marks it; the exit status is then 1. Standard
library only.
"""
import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu_model():
    """The CPU as lscpu names it ("AMD EPYC, family 25 model 1"), or /proc/cpuinfo's model name."""
    fields = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True,
                             env=dict(os.environ, LC_ALL="C")).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    name = fields.get("Model name")
    if not name:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("model name"):
                        name = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
    name = name or "unknown CPU"
    if "CPU family" in fields and "Model" in fields:
        name += ", family %s model %s" % (fields["CPU family"], fields["Model"])
    return "%s, %d CPUs online" % (name, os.cpu_count() or 0)


class RunFailed(Exception):
    pass


def shown_path(path):
    """A path inside the repository relative to its root (for the printed configuration), any other as given."""
    full = os.path.abspath(path)
    return os.path.relpath(full, ROOT) if full.startswith(ROOT + os.sep) else path


def train_args(args, show=False):
    """The `tapegrad train` flags shared by every configuration (without --threads)."""
    a = ["train", "--data", shown_path(args.data) if show else args.data, "--model", args.model, "--level", args.level, "--batch-size",
         str(args.batch_size), "--bptt", str(args.bptt), "--seed", str(args.seed), "--json", "--quiet"]
    for flag in ("emsize", "nhid", "nlayers", "max_valid_tokens"):
        value = getattr(args, flag)
        if value is not None:
            a += ["--" + flag.replace("_", "-"), str(value)]
    if args.epochs is not None:
        a += ["--epochs", str(args.epochs)]
    if args.max_time is not None:
        a += ["--max-time", str(args.max_time)]
    return a + shlex.split(args.extra)


def command(args, ranks, threads):
    tg = [args.tapegrad] + train_args(args) + ["--threads", str(threads)]
    if ranks == 1:
        return tg
    return [args.mpirun] + shlex.split(args.mpirun_args) + ["-np", str(ranks)] + tg


def run(cmd, timeout, ranks):
    """tokens/s of one run (mean over its epoch lines) and its model line; RunFailed with the reason otherwise."""
    shown = " ".join(shlex.quote(c) for c in cmd)
    if shutil.which(cmd[0]) is None and not os.access(cmd[0], os.X_OK):
        raise RunFailed("`%s` not found (%s)" % (cmd[0], "install OpenMPI: apt-get install openmpi-bin"
                                                 if os.path.basename(cmd[0]) == "mpirun" else "build it first"))
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RunFailed("`%s` did not finish within %d s" % (shown, timeout))
    rates, model, model_lines = [], {}, 0
    for line in p.stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a launcher's own line: only JSON lines are tapegrad's
        if obj.get("type") == "epoch" and "tokens_per_second" in obj:
            rates.append(float(obj["tokens_per_second"]))
        elif obj.get("type") == "model":
            model = obj
            model_lines += 1
    if p.returncode != 0 or not rates:
        tail = [l for l in (p.stderr + p.stdout).splitlines() if l.strip()][-6:]
        why = "exited with status %d" % p.returncode if p.returncode != 0 else "printed no epoch line"
        raise RunFailed("`%s` %s:\n    %s" % (shown, why, "\n    ".join(tail) or "(no output)"))
    # Data-parallel training prints from rank 0 alone. A model line from every rank means each rank trained the whole
    # batch on its own (a tapegrad whose `train` is not data-parallel yet): its rate is not that of 2 ranks together.
    if ranks > 1 and model_lines != 1:
        raise RunFailed("`%s` printed %d `model` lines: every rank ran its own training, so this tapegrad's `train` "
                        "does not run data-parallel (yet); its rate would not be that of %d ranks together"
                        % (shown, model_lines, ranks))
    if ranks > 1 and "ranks" in model and model["ranks"] != ranks:
        raise RunFailed("`%s` says it ran on %s ranks, not %d" % (shown, model["ranks"], ranks))
    return statistics.mean(rates), model


def fmt(x):
    return "{:,.0f}".format(x) if x is not None else "failed"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tapegrad", default=os.path.join(ROOT, "build", "apps", "tapegrad"))
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--mpirun-args", default="--allow-run-as-root --oversubscribe --bind-to none",
                    help="options of the 2-rank launch before -np")
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "tinyshakespeare.txt"))
    ap.add_argument("--model", default="lstm")
    ap.add_argument("--level", default="char")
    ap.add_argument("--emsize", type=int)
    ap.add_argument("--nhid", type=int)
    ap.add_argument("--nlayers", type=int)
    ap.add_argument("--batch-size", type=int, default=32, help="the global batch, the same for every configuration")
    ap.add_argument("--bptt", type=int, default=35)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-valid-tokens", type=int, default=2000, help="keep validations short (0: all)")
    stop = ap.add_mutually_exclusive_group()
    stop.add_argument("--epochs", type=int)
    stop.add_argument("--max-time", type=float, help="seconds per run (default 20 without --epochs)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the three runs; the median is reported")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds before a run is given up")
    ap.add_argument("--extra", default="", help="more `tapegrad train` flags, one string")
    args = ap.parse_args(argv)
    if args.epochs is None and args.max_time is None:
        args.max_time = 20.0
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")

    configs = [("1 rank × 1 thread", 1, 1), ("2 ranks × 1 thread", 2, 1), ("1 rank × 2 threads", 1, 2)]
    rates = {name: [] for name, _, _ in configs}
    failed = {}
    models = {}
    print("CPU: %s" % cpu_model(), file=sys.stderr)
    for r in range(args.rounds):
        for name, ranks, threads in configs:
            if name in failed:
                continue  # a configuration that cannot run fails the same way every round
            cmd = command(args, ranks, threads)
            t0 = time.time()
            try:
                rate, model = run(cmd, args.timeout, ranks)
            except RunFailed as e:
                failed[name] = str(e)
                print("round %d, %s: FAILED: %s" % (r + 1, name, e), file=sys.stderr)
                continue
            rates[name].append(rate)
            models[name] = model
            print("round %d, %s: %s tokens/s (%.0f s)" % (r + 1, name, fmt(rate), time.time() - t0), file=sys.stderr)

    med = {name: statistics.median(v) if v else None for name, v in rates.items()}
    model = next(iter(models.values()), {})
    print("CPU: %s  " % cpu_model())
    print("Configuration: `%s`; %s; global batch %d streams; median of %d round(s), the three runs alternating.\n" % (
        " ".join(["tapegrad"] + train_args(args, show=True)), model.get("model", "(model line not read)"),
        args.batch_size, args.rounds))
    print("| configuration | tokens/s (median) | every round |")
    print("|---|---:|---|")
    for name, _, _ in configs:
        print("| %s | %s | %s |" % (name, fmt(med[name]), ", ".join(fmt(x) for x in rates[name]) or "—"))
    print("")

    def ratio(a, b):
        return "%.2f×" % (med[a] / med[b]) if med[a] and med[b] else "— (a run failed)"

    print("| ratio | value |")
    print("|---|---:|")
    print("| 2 ranks × 1 thread / 1 rank × 1 thread | %s |" % ratio("2 ranks × 1 thread", "1 rank × 1 thread"))
    print("| 2 ranks × 1 thread / 1 rank × 2 threads | %s |" % ratio("2 ranks × 1 thread", "1 rank × 2 threads"))
    if failed:
        print("")
        for name, why in failed.items():
            print("%s failed: %s" % (name, why))
        if "2 ranks × 1 thread" in failed:
            print("(2 ranks need mpirun and a tapegrad built with MPI whose `train` runs on several ranks: "
                  "docs/distributed.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
