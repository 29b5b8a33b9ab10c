#!/usr/bin/python3
"""profile_step.py -- where the time of one training step goes, by kind of work, from a perf sampling profile.

Runs bench/lm_throughput --train-only for one model and thread count under `perf record` (Debian: linux-perf),
then sorts every sampled function into a few groups -- GEMM, softmax + cross-entropy, recurrent-cell pointwise
math, embedding gather/scatter, optimizer and clipping (the gradient norm included), zeroing gradients, memory
copies and fills, the operating system -- and prints each group's share of the samples with its three hottest
functions. Startup and one warm-up step are included
(the first step touches every buffer's pages: for char512, whose steps take about a second, give --seconds 30).

  /usr/bin/python3 bench/profile_step.py --model lstm --threads 1
  /usr/bin/python3 bench/profile_step.py --model char512 --threads 2 --seconds 30

Standard library only. Needs perf_event access (kernel.perf_event_paranoid <= 2 for a process's own samples).
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (group, pattern on the symbol); the first match wins, so specific patterns come first.
GROUPS = [
    ("softmax + cross-entropy", r"softmax|xent|exp_sum|row_max|row_sum|expm?1?f|log_sum"),
    ("recurrent cell pointwise", r"lstm_|gru_|rnn_|tanh|sigmoid"),
    ("GEMM", r"gemm|micro_kernel|dot_tile|pack_|blocked_"),
    ("embedding gather / scatter", r"gather|scatter|embedding"),
    ("optimizer + clipping", r"grad_norm|for_each_gradient_run|SumOfSquares|SGD|Adam|axpy|clip|scale"),
    ("bias gradient (column sums)", r"colsum"),
    ("zeroing gradients", r"zero_grad"),
    ("memory copy / fill", r"memmove|memcpy|memset|fill|copy"),
    ("tape bookkeeping", r"autograd::|Tape|Var::"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="lstm", help="lstm, gru, rnn, mlp, char256 or char512")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10.0, help="about how long to sample")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench", "lm_throughput"))
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit("profile_step: %s not found (cmake --build build)" % args.binary)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        windows = 5
        cmd = ["perf", "record", "-q", "-F", "999", "-o", data, args.binary, "--train-only", "--no-fma-peak",
               "--warmup", "1", "--models", args.model, "--threads", str(args.threads), "--windows", str(windows),
               "--window-sec", str(args.seconds / windows)]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            sys.exit("profile_step: perf is not installed (apt-get install linux-perf)")
        if run.returncode != 0:
            sys.exit("profile_step: %s failed:\n%s" % (" ".join(cmd), run.stderr[-2000:]))
        rate = re.search(r"train\s+(\d+) tok/s", run.stdout)
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "-g", "none",
                                 "--stdio", "--percent-limit", "0"], capture_output=True, text=True, check=True)
    shares = collections.defaultdict(float)
    top = collections.defaultdict(list)
    for line in report.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[(.)\]\s+(.*?)\s*$", line)
        if not m:
            continue
        pct, space, symbol = float(m.group(1)), m.group(2), m.group(3)
        group = "operating system (page faults, scheduling)" if space == "k" else "other"
        if space != "k":
            for name, pattern in GROUPS:
                if re.search(pattern, symbol):
                    group = name
                    break
        shares[group] += pct
        short = re.split(r"\s{2,}", symbol)[0].replace("(anonymous namespace)::", "").replace("tapegrad::", "")
        short = re.sub(r"<.*|\(.*", "", short)  # no template arguments or parameter lists
        top[group].append((pct, short))
    cpu = re.search(r"^CPU: .*$", run.stdout, re.M)
    print(cpu.group(0) if cpu else "CPU: (not reported by %s)" % args.binary)
    print("profile of training, model %s, %d thread%s%s" % (args.model, args.threads, "" if args.threads == 1 else "s",
                                                         ", %s tok/s" % rate.group(1) if rate else ""))
    print("%-44s %7s  %s" % ("group", "share", "hottest functions"))
    for group, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        hottest = ", ".join("%s %.1f%%" % (s, p) for p, s in sorted(top[group], reverse=True)[:3])
        print("%-44s %6.1f%%  %s" % (group, share, hottest))


if __name__ == "__main__":
    main()
