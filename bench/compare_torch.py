#!/usr/bin/python3
"""compare_torch.py -- tapegrad against PyTorch on the language-model benchmark, back to back on this machine.

For every model (lstm, gru, rnn, mlp, char256, char512) and thread count, runs tapegrad's bench/lm_throughput and
the PyTorch peer script peer_torch_lm.py (not part of tapegrad; --peer PATH, by default the shared/bench folder beside
the project) one after the other (PyTorch in its best setting: the widest kernels this CPU runs -- AVX-512 when
/proc/cpuinfo lists avx512f, else AVX2, since PyTorch 1.13 told to use AVX-512 on a CPU without it dies of SIGILL
rather than falling back -- and with 2+ threads the OpenMP build of OpenBLAS), each in its own process, and prints the
CPU, training and evaluation tokens/s, the peak resident memory of each process, the ratios ours / PyTorch, and our
training step's GEMM GFLOP/s as a share of the FMA peak lm_throughput measured (its RESULT key peak_share: a lower
bound on utilization, see bench/lm_throughput.cpp).

  /usr/bin/python3 bench/compare_torch.py                          # all models, 1 and 2 threads
  /usr/bin/python3 bench/compare_torch.py --models lstm --threads 1
  /usr/bin/python3 bench/compare_torch.py --rounds 3               # alternate 3 times, report medians

Needs: build/bench/lm_throughput (cmake --build build) and python3-torch (scripts/setup.sh --bench).
Standard library only.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpuinfo():
    """(model name, family, model, flags) of the first CPU in /proc/cpuinfo; empty strings where unknown."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" not in line:
                    continue
                key, value = (x.strip() for x in line.split(":", 1))
                fields.setdefault(key, value)
    except OSError:
        pass
    return (fields.get("model name", "unknown CPU"), fields.get("cpu family", ""), fields.get("model", ""),
            fields.get("flags", "").split())


def aten_capability(flags):
    """PyTorch's widest CPU kernels this CPU can run: avx512 needs AVX-512 F (and 1.13 crashes without it)."""
    return "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else "default"


def run(cmd, env):
    """Runs cmd; returns (stdout, peak resident memory of that process in MB, from wait4's rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit("%s failed (%d):\n%s" % (" ".join(cmd), proc.returncode, err.read()[-2000:]))
        return out.read(), usage.ru_maxrss / 1024.0


def result_fields(text, tag):
    for line in text.splitlines():
        if line.startswith("RESULT " + tag):
            return dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
    sys.exit("no 'RESULT %s' line in:\n%s" % (tag, text))


def measure(cmd, env, tag):
    """Runs one benchmark process and returns (train tok/s, eval tok/s, peak RSS MB, training share of the FMA peak
    or NaN when the RESULT line has none)."""
    out, rss = run(cmd, env)
    f = result_fields(out, tag)
    return float(f["train_tok_s_med"]), float(f["eval_tok_s_med"]), rss, float(f.get("peak_share", "nan"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="lstm,gru,rnn,mlp,char256,char512")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=1, help="alternate ours/PyTorch this many times; medians reported")
    p.add_argument("--window-sec", type=float, default=1.5)
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--ours", default=os.path.join(ROOT, "build", "bench", "lm_throughput"))
    p.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_torch_lm.py"))
    a = p.parse_args()
    if not os.path.exists(a.ours):
        sys.exit("%s not found: build first (cmake --build build)" % a.ours)
    if not os.path.exists(a.peer):
        sys.exit("%s not found" % a.peer)

    name, family, model_id, flags = cpuinfo()
    capability = aten_capability(flags)
    print("CPU: %s (family %s model %s)" % (name, family, model_id))
    print("PyTorch kernels: ATEN_CPU_CAPABILITY=%s (%s)\n" % (
        capability, "avx512f in /proc/cpuinfo" if capability == "avx512" else "no avx512f in /proc/cpuinfo"),
        flush=True)
    rows = []
    print("%-8s %3s | %10s %10s %6s | %10s %10s %6s | %8s %8s | %s" % (
        "model", "thr", "ours train", "torch", "ratio", "ours eval", "torch", "ratio", "ours MB", "torch MB",
        "ours % of FMA peak"), flush=True)
    for threads in [int(t) for t in a.threads.split(",")]:
        for model in a.models.split(","):
            ours_env = dict(os.environ)
            torch_env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                             OPENBLAS_NUM_THREADS=str(threads), ATEN_CPU_CAPABILITY=capability)
            if threads > 1:  # PyTorch's best multi-thread setting here (the OpenMP OpenBLAS)
                torch_env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
            ours_cmd = [a.ours, "--models", model, "--threads", str(threads), "--windows", str(a.windows),
                        "--window-sec", str(a.window_sec)]
            torch_cmd = ["/usr/bin/python3", a.peer, "--_worker", "--models", model, "--threads", str(threads),
                         "--windows", str(a.windows), "--eval-windows", str(a.windows), "--window-sec",
                         str(a.window_sec)]
            ours, torch = [], []
            for _ in range(a.rounds):
                ours.append(measure(ours_cmd, ours_env, "tapegrad_lm"))
                torch.append(measure(torch_cmd, torch_env, "torch_lm"))
            med = lambda xs, i: statistics.median(x[i] for x in xs)
            o = [med(ours, i) for i in range(4)]
            t = [med(torch, i) for i in range(3)]
            rows.append((model, threads, o, t))
            print("%-8s %3d | %10.0f %10.0f %5.2fx | %10.0f %10.0f %5.2fx | %8.0f %8.0f | %17.1f%%" % (
                model, threads, o[0], t[0], o[0] / t[0], o[1], t[1], o[1] / t[1], o[2], t[2], 100 * o[3]),
                flush=True)
    print("\nratios are ours / PyTorch (higher is faster); MB = peak resident memory of the benchmark process;")
    print("ours % of FMA peak = GEMM GFLOP/s of our training step / the FMA peak measured for that thread count")


if __name__ == "__main__":
    main()
