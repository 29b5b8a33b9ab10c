#!/usr/bin/python3
"""cluster_model.py -- what data-parallel training of a recurrent LM would cost on a cluster (docs/distributed.md).

A model on paper, not a measurement: one rank per node, each computing at the rate measured on one machine
(build/bench/lm_throughput: the GEMM GFLOP per step and the achieved GFLOP/s it prints), the gradients summed by ring
all-reduces over a network of a given bandwidth and an assumed latency. It prints markdown tables of the scaling for
2 … 64 nodes: weak scaling (fixed per-rank batch) and strong scaling (fixed global batch), with the sums started
after backward (no overlap) and with each bucket's sum started as soon as backward has finished its parameters.

  python3 bench/cluster_model.py                              # the defaults: the Zaremba-small LSTM measured here
  python3 bench/cluster_model.py --gflops 400 --latency-us 20  # a faster node, a slower network
  python3 bench/cluster_model.py --self-test                  # the formulas against hand-computed cases
  python3 bench/cluster_model.py --check-doc docs/distributed.md   # the doc's pasted tables are this output

Formulas (S bytes summed, N ranks, bandwidth b bytes/s, latency a s per message):
  ring all-reduce   T_ar(S) = 2(N-1)/N * S/b + 2(N-1) * a       (reduce-scatter, then all-gather, N-1 steps each)
                    each rank sends, and receives, 2(N-1)/N * S bytes
  ring all-gather   T_ag(s) = (N-1) * s/b + (N-1) * a           (s bytes from each rank, N*s in all)
  parameters        embedding V*E; layer l: g*H*(I_l + H) + g*H (+ H for the GRU's b_hn), I_0 = E, I_l = H;
                    decoder H*V + V; g = 4 (LSTM), 3 (GRU), 1 (tanh RNN)
  GEMM FLOP/token   forward: 2*H*V (decoder) + sum_l 2*g*H*(I_l + H) (the layers); backward twice the forward,
                    less 2*g*H*H per layer and stream of each window (no gradient for the carried initial state)
  compute           t(b) = (GFLOP/step / GFLOP/s) * b / batch   (linear in the streams b a rank holds: assumed)
                    forward 1/3 of it, backward 2/3 (by GEMM FLOP: assumed for all the step's time)
  backward order    decoder, then the top layer ... the first layer, then the embedding; a parameter's gradient is
                    final when backward has passed it (FLOP shares give the times)
  buckets           the dense gradients in that order, cut every --bucket-mb MiB; a bucket's sum is ready when its
                    last parameter is; sums run one after the other on the network (first come, first served)
  embedding         first a sum of one flag per row, T_ar(V*4), which gives every rank the union U of the rows touched
                    (U = min(V, N*u), u = min(tokens per rank, V): the worst case, every token a different word);
                    then the rows alone, T_ar(U*E*4), when U < V/2 (nn::GradientReducer's rule), else the whole
                    table, T_ar(V*E*4); always last (backward ends there)
  step              t(b) + exposed, exposed = the end of the last sum - the end of backward (no overlap: the sum of
                    all sums' times)
  weak scaling      b = batch per rank; efficiency = t(b) / step; tokens/s = N*b*bptt / step
  strong scaling    B global streams, b = ceil(B/N) (the largest share sets the pace); speedup = t(B) / step

Not modelled: the clipping and optimizer step (in the measured step time, but not overlapped), MPI progress
stealing compute, the network shared with other jobs, GEMMs slowing down on smaller per-rank batches (so strong
scaling is optimistic), stragglers.
Standard library only.
"""
import argparse
import difflib
import math
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MIB = 1024 * 1024
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


# ---------------------------------------------------------------------------------------------------------- formulas
def ring_allreduce_seconds(nbytes, n, bytes_per_s, latency_s):
    """T_ar(S) = 2(N-1)/N * S/b + 2(N-1) * a; 0 for one rank."""
    if n <= 1:
        return 0.0
    return 2.0 * (n - 1) / n * nbytes / bytes_per_s + 2.0 * (n - 1) * latency_s


def ring_allgather_seconds(nbytes_per_rank, n, bytes_per_s, latency_s):
    """T_ag(s) = (N-1) * s/b + (N-1) * a; 0 for one rank."""
    if n <= 1:
        return 0.0
    return (n - 1) * nbytes_per_rank / bytes_per_s + (n - 1) * latency_s


class Model:
    """The parameter groups of a recurrent LM (embedding, layers, decoder) and their GEMM FLOP per token."""

    def __init__(self, cell, vocab, emsize, nhid, nlayers):
        g = GATES[cell]
        self.vocab, self.emsize = vocab, emsize
        self.embedding = vocab * emsize
        self.layers = []  # parameters per layer, first to last
        self.layer_flops = []  # forward GEMM FLOP per token per layer
        for layer in range(nlayers):
            inputs = emsize if layer == 0 else nhid
            p = g * nhid * (inputs + nhid) + g * nhid + (nhid if cell == "gru" else 0)
            self.layers.append(p)
            self.layer_flops.append(2 * g * nhid * (inputs + nhid))
        self.decoder = nhid * vocab + vocab
        self.decoder_flops = 2 * nhid * vocab
        self.recurrent_flops = 2 * g * nhid * nhid  # h_{t-1} · W_hh of one stream, per layer and step

    def parameters(self):
        return self.embedding + sum(self.layers) + self.decoder

    def forward_flops_per_token(self):
        return self.decoder_flops + sum(self.layer_flops)

    def gemm_flops_per_step(self, batch, bptt):
        """Forward, and backward's input and weight gradients (twice the forward), less the gradient of each layer's
        initial state, which comes from the previous window and is not differentiated."""
        nlayers = len(self.layers)
        return 3 * self.forward_flops_per_token() * batch * bptt - nlayers * self.recurrent_flops * batch

    def backward_ready(self):
        """[(name, parameters, fraction of backward done when its gradient is final)] in backward order."""
        total = float(self.forward_flops_per_token())
        done = self.decoder_flops
        out = [("decoder", self.decoder, done / total)]
        for layer in reversed(range(len(self.layers))):
            done += self.layer_flops[layer]
            out.append(("layer %d" % layer, self.layers[layer], done / total))
        return out


def buckets(groups, bucket_bytes, bytes_per_value):
    """Cuts the groups (in backward order) into buckets of bucket_bytes: [(bytes, ready fraction)]."""
    out, size, ready = [], 0, 0.0
    for _, params, frac in groups:
        left = params * bytes_per_value
        while left > 0:
            take = min(left, bucket_bytes - size)
            size += take
            left -= take
            ready = max(ready, frac)
            if size == bucket_bytes:
                out.append((size, ready))
                size, ready = 0, 0.0
    if size:
        out.append((size, ready))
    return out


def embedding_sum(model, n, tokens_per_rank, bytes_per_s, latency_s, bytes_per_value):
    """(seconds, bytes summed, 'table' or 'rows') for the embedding's gradient, the cheaper way."""
    table_bytes = model.embedding * bytes_per_value
    table = ring_allreduce_seconds(table_bytes, n, bytes_per_s, latency_s)
    u = min(tokens_per_rank, model.vocab)
    union = min(model.vocab, n * u)
    rows_bytes = union * model.emsize * bytes_per_value
    flags = ring_allreduce_seconds(4 * model.vocab, n, bytes_per_s, latency_s)  # which rows some rank touched
    if n > 1 and union < 0.5 * model.vocab:  # the reducer's rule (ReducerOptions::sparse_fraction)
        return flags + ring_allreduce_seconds(rows_bytes, n, bytes_per_s, latency_s), rows_bytes, "rows"
    return flags + table, table_bytes, "table"


def step(model, args, n, streams, bandwidth_gbit):
    """One training step on N ranks, each holding `streams` streams: a dict of times (s) and bytes."""
    bytes_per_s = bandwidth_gbit * 1e9 / 8
    latency = args.latency_us * 1e-6
    compute = args.gflop_per_step / args.gflops * streams / args.batch
    backward = compute * 2.0 / 3.0
    fwd_end = compute - backward
    comms = []  # (ready time, duration)
    dense_bytes = 0
    for nbytes, frac in buckets(model.backward_ready(), int(args.bucket_mb * MIB), args.bytes_per_value):
        comms.append((fwd_end + frac * backward, ring_allreduce_seconds(nbytes, n, bytes_per_s, latency)))
        dense_bytes += nbytes
    emb_s, emb_bytes, emb_way = embedding_sum(model, n, streams * args.bptt, bytes_per_s, latency, args.bytes_per_value)
    comms.append((compute, emb_s))
    serial = sum(d for _, d in comms)
    end = 0.0
    for ready, d in comms:
        end = max(end, ready) + d
    overlapped = max(0.0, end - compute)
    summed = dense_bytes + emb_bytes
    sent = 2.0 * (n - 1) / n * summed if n > 1 else 0.0
    return {"compute": compute, "serial": serial, "overlapped": overlapped, "summed": summed, "sent": sent,
            "embedding": emb_way if n > 1 else "—"}


# ----------------------------------------------------------------------------------------------------------- output
def mb(nbytes):
    return "%.2f MB" % (nbytes / 1e6)


def ms(seconds):
    return "%.1f" % (seconds * 1e3)


def pct(x):
    return "%.0f%%" % (100.0 * x)


def thousands(x):
    return "{:,}".format(int(round(x)))


def render(args):
    model = Model(args.cell, args.vocab, args.emsize, args.nhid, args.nlayers)
    p = model.parameters()
    t1 = args.gflop_per_step / args.gflops
    tokens = args.batch * args.bptt
    lines = []
    w = lines.append
    w("Inputs: %s %d×%d, emb %d, vocab %s: **%s parameters, %s of gradients** at %d bytes per value "
      "(embedding %s, layers %s, decoder %s)." % (
          args.cell, args.nlayers, args.nhid, args.emsize, thousands(args.vocab), thousands(p),
          mb(p * args.bytes_per_value), args.bytes_per_value, thousands(model.embedding),
          thousands(sum(model.layers)), thousands(model.decoder)))
    w("GEMM work %.3f GFLOP per step of %d streams × %d steps (the formula gives %.3f) at %.1f GFLOP/s: "
      "**%.1f ms per step, %s tokens/s per node**. Latency %.0f µs per message (assumed), buckets of %g MiB." % (
          args.gflop_per_step, args.batch, args.bptt, model.gemm_flops_per_step(args.batch, args.bptt) / 1e9, args.gflops,
          t1 * 1e3, thousands(tokens / t1), args.latency_us, args.bucket_mb))
    for bw in args.bandwidth_gbit:
        w("")
        w("**Weak scaling, %g Gbit/s** (%d streams per rank; the global batch grows with the nodes)" % (bw, args.batch))
        w("")
        w("| nodes | summed per step | sent per rank | embedding as | all sums, ms | step, no overlap, ms | "
          "efficiency | step, overlapped, ms | efficiency | tokens/s (overlapped) |")
        w("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        for n in args.nodes:
            s = step(model, args, n, args.batch, bw)
            plain, over = s["compute"] + s["serial"], s["compute"] + s["overlapped"]
            w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n, mb(s["summed"]) if n > 1 else "—", mb(s["sent"]) if n > 1 else "—", s["embedding"], ms(s["serial"]), ms(plain),
                pct(s["compute"] / plain), ms(over), pct(s["compute"] / over), thousands(n * tokens / over)))
    for bw in args.bandwidth_gbit:
        big = args.global_batch
        t_all = step(model, args, 1, big, bw)["compute"]
        w("")
        w("**Strong scaling, %g Gbit/s** (%d streams in all, ⌈%d/N⌉ per rank; one node: %s ms per step)" % (
            bw, big, big, ms(t_all)))
        w("")
        w("| nodes | streams per rank | embedding as | compute, ms | all sums, ms | speedup, no overlap | efficiency | "
          "speedup, overlapped | efficiency |")
        w("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        for n in args.nodes:
            b = -(-big // n)
            s = step(model, args, n, b, bw)
            plain = t_all / (s["compute"] + s["serial"])
            over = t_all / (s["compute"] + s["overlapped"])
            w("| %d | %d | %s | %s | %s | %.1f× | %s | %.1f× | %s |" % (
                n, b, s["embedding"], ms(s["compute"]), ms(s["serial"]), plain, pct(plain / n), over, pct(over / n)))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------ arguments
def csv_of(kind):
    return lambda text: [kind(x) for x in text.split(",") if x]


class HelpFormat(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    pass


def parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=HelpFormat)
    m = ap.add_argument_group("model (default: lm/neural/configs.cpp \"lstm\", Zaremba et al. small)")
    m.add_argument("--cell", choices=sorted(GATES), default="lstm", help="recurrent cell")
    m.add_argument("--vocab", type=int, default=10000, help="vocabulary (embedding rows, decoder outputs)")
    m.add_argument("--emsize", type=int, default=200, help="embedding size")
    m.add_argument("--nhid", type=int, default=200, help="hidden units per layer")
    m.add_argument("--nlayers", type=int, default=2, help="recurrent layers")
    m.add_argument("--batch", type=int, default=20, help="streams per step of the measurement (and per rank, weak)")
    m.add_argument("--bptt", type=int, default=35, help="steps per window")
    m.add_argument("--bytes-per-value", type=int, default=4, help="4: float32 gradients")
    c = ap.add_argument_group("compute (measured: build/bench/lm_throughput --models lstm --threads 1)")
    c.add_argument("--gflop-per-step", type=float, default=11.075, help="'gemm GFLOP/step' it prints")
    c.add_argument("--gflops", type=float, default=47.7,
                   help="GEMM GFLOP/s of training it prints (default: over CPU time, a core to itself)")
    n = ap.add_argument_group("network and runs")
    n.add_argument("--bandwidth-gbit", type=csv_of(float), default=[10.0, 100.0], help="comma-separated Gbit/s")
    n.add_argument("--latency-us", type=float, default=10.0, help="per message, assumed (5-20 µs on Ethernet/RoCE)")
    n.add_argument("--bucket-mb", type=float, default=4.0, help="MiB per gradient bucket")
    n.add_argument("--nodes", type=csv_of(int), default=[1, 2, 4, 8, 16, 32, 64])
    n.add_argument("--global-batch", type=int, default=256, help="strong scaling: streams in all")
    ap.add_argument("--self-test", action="store_true", help="check the formulas against hand-computed cases")
    ap.add_argument("--check-doc", metavar="MD", help="check the doc's cluster-model blocks against this output")
    ap.add_argument("--write-doc", metavar="MD", help="rewrite the doc's cluster-model blocks")
    return ap


def checked(args):
    for name in ("vocab", "emsize", "nhid", "nlayers", "batch", "bptt", "bytes_per_value", "global_batch"):
        if getattr(args, name) < 1:
            raise SystemExit("cluster_model: --%s must be at least 1" % name.replace("_", "-"))
    for name in ("gflop_per_step", "gflops", "bucket_mb"):
        v = getattr(args, name)
        if not (v > 0 and math.isfinite(v)):
            raise SystemExit("cluster_model: --%s must be positive" % name.replace("_", "-"))
    if not (args.latency_us >= 0 and math.isfinite(args.latency_us)):
        raise SystemExit("cluster_model: --latency-us must be at least 0")
    if not args.bandwidth_gbit or any(not (b > 0 and math.isfinite(b)) for b in args.bandwidth_gbit):
        raise SystemExit("cluster_model: --bandwidth-gbit must be positive numbers")
    if not args.nodes or any(x < 1 for x in args.nodes):
        raise SystemExit("cluster_model: --nodes must be counts of at least 1")
    return args


# ----------------------------------------------------------------------------------------------- the doc's blocks
BEGIN = "<!-- cluster-model: python3 bench/cluster_model.py"
END = "<!-- end cluster-model -->"


def doc_blocks(path):
    """[(line number, flags, start index, end index)] of the blocks  BEGIN flags -->  …  END  in the doc: between
    the markers, the command in a ```sh block, an empty line, then what it prints."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].startswith(BEGIN):
            head = lines[i]
            if not head.endswith("-->"):
                raise SystemExit("%s:%d: a cluster-model marker must end with -->" % (path, i + 1))
            flags = head[len(BEGIN):-3].strip()
            j = i + 1
            while j < len(lines) and lines[j] != END:
                j += 1
            if j == len(lines):
                raise SystemExit("%s:%d: the cluster-model block has no '%s'" % (path, i + 1, END))
            blocks.append((i + 1, flags, i + 1, j))
            i = j
        i += 1
    return lines, blocks


def block(flags):
    """What the doc shows between the markers: the command, then its output."""
    out = render(checked(parser().parse_args(shlex.split(flags))))
    return ["```sh", ("python3 bench/cluster_model.py " + flags).rstrip(), "```", ""] + out.rstrip("\n").split("\n")


def sync_doc(path, write):
    lines, blocks = doc_blocks(path)
    if not blocks:
        print("%s: no '%s … -->' block" % (path, BEGIN), file=sys.stderr)
        return 1
    status = 0
    for line, flags, start, end in reversed(blocks):
        fresh = block(flags)
        old = lines[start:end]
        if old != fresh:
            if write:
                lines[start:end] = fresh
                continue
            sys.stdout.writelines(difflib.unified_diff([x + "\n" for x in old], [x + "\n" for x in fresh],
                                                       path + ":%d (in the doc)" % line, "cluster_model.py output"))
            print("%s:%d: the cluster-model block differs from `python3 bench/cluster_model.py %s`: "
                  "run python3 bench/cluster_model.py --write-doc %s" % (path, line, flags, path), file=sys.stderr)
            status = 1
    if write:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print("cluster_model: %d block(s) of %s written" % (len(blocks), path))
    elif status == 0:
        print("cluster_model: %d block(s) of %s match the model's output" % (len(blocks), path))
    return status


# ------------------------------------------------------------------------------------------------------ self-test
def self_test():
    failures = []

    def expect(what, got, want, rel=1e-12):
        if not math.isclose(got, want, rel_tol=rel, abs_tol=1e-15):
            failures.append("%s: got %r, expected %r" % (what, got, want))

    # Ring all-reduce of 8 MB on 4 ranks, 8 Gbit/s = 1e9 bytes/s, 10 µs: 2·3/4 · 8e6/1e9 = 12 ms, + 2·3·10 µs = 60 µs.
    expect("ring all-reduce, 8 MB, 4 ranks", ring_allreduce_seconds(8e6, 4, 1e9, 10e-6), 0.01206)
    expect("ring all-reduce, one rank", ring_allreduce_seconds(8e6, 1, 1e9, 10e-6), 0.0)
    # All-gather of 2,800 bytes from each of 4 ranks at 1e9 bytes/s, 10 µs: 3 · 2.8 µs + 3 · 10 µs = 38.4 µs.
    expect("ring all-gather", ring_allgather_seconds(2800, 4, 1e9, 10e-6), 38.4e-6)
    # Zaremba-small LSTM, counted by hand: 10000·200 + 2·(4·200·(200+200) + 4·200) + 200·10000 + 10000.
    lstm = Model("lstm", 10000, 200, 200, 2)
    expect("LSTM parameters", lstm.parameters(), 2000000 + 2 * (320000 + 800) + 2010000)
    expect("LSTM parameters", lstm.parameters(), 4651600)
    # GEMM FLOP per step of 20 × 35: 3 × (2·200·10000 + 2 · 2·800·400) · 700 - 2 layers · 2·800·200 · 20.
    expect("LSTM GEMM FLOP per step", lstm.gemm_flops_per_step(20, 35), 3 * 5280000 * 700 - 2 * 6400000)
    gru = Model("gru", 100, 10, 20, 1)  # 100·10 + 3·20·30 + 60 + 20 (b_hn) + 20·100 + 100
    expect("GRU parameters", gru.parameters(), 1000 + 1800 + 80 + 2100)
    # Buckets of 1 MB over groups of 1.5 MB (ready at 0.5) and 1 MB (ready at 1): 1 MB @ .5, 1 MB @ 1, 0.5 MB @ 1.
    got = buckets([("a", 375000, 0.5), ("b", 250000, 1.0)], 1000000, 4)
    if got != [(1000000, 0.5), (1000000, 1.0), (500000, 1.0)]:
        failures.append("buckets: got %r" % (got,))

    # The step: overlap can only hide time, one rank has nothing to sum, and the rows path wins only when cheaper.
    args = checked(parser().parse_args([]))
    for bw in (10.0, 100.0):
        for n in (1, 2, 8, 64):
            s = step(lstm, args, n, args.batch, bw)
            if not (0.0 <= s["overlapped"] <= s["serial"] + 1e-15):
                failures.append("overlap at %g Gbit/s, %d ranks: %r > %r" % (bw, n, s["overlapped"], s["serial"]))
            if n == 1 and (s["serial"] != 0.0 or s["sent"] != 0.0):
                failures.append("one rank sums nothing, got %r" % (s,))
    # 2 ranks × 700 tokens: at most 1,400 rows of 200 floats (1.12 MB) instead of the 8 MB table.
    _, nbytes, way = embedding_sum(lstm, 2, 700, 1.25e9, 10e-6, 4)
    if way != "rows" or nbytes != 1400 * 200 * 4:
        failures.append("embedding rows on 2 ranks: got %r, %r" % (way, nbytes))
    # 64 ranks × 700 tokens cover the 10,000 words: the whole table.
    _, nbytes, way = embedding_sum(lstm, 64, 700, 1.25e9, 10e-6, 4)
    if way != "table" or nbytes != 8000000:
        failures.append("embedding on 64 ranks: got %r, %r" % (way, nbytes))
    # No overlap, 2 ranks at 10 Gbit/s: every sum after backward. Dense part 641,600 + 2,010,000 floats = 10,606,400
    # bytes in buckets of 4 MiB (3 sums: 2 full + 2,217,792 bytes), then the rows: 10,000 flags (40,000 bytes) and
    # 1.12 MB.
    s = step(lstm, args, 2, 20, 10.0)
    b, a = 1.25e9, 10e-6
    want = (10606400 / b + 3 * 2 * a) + (40000 / b + 2 * a) + (1120000 / b + 2 * a)
    expect("all sums, 2 ranks, 10 Gbit/s", s["serial"], want, rel=1e-9)

    for f in failures:
        print("cluster_model self-test: FAIL " + f)
    if failures:
        return 1
    print("cluster_model self-test: all formulas match the hand-computed cases")
    return 0


def main(argv):
    args = parser().parse_args(argv)
    if args.self_test:
        return self_test()
    if args.check_doc or args.write_doc:
        return sync_doc(args.check_doc or args.write_doc, write=bool(args.write_doc))
    sys.stdout.write(render(checked(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
