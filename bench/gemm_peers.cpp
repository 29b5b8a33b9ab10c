// GEMM against its peers, measured back to back in one run: tapegrad's ops::gemm, OpenBLAS (cblas_sgemm) and oneDNN
// (dnnl_sgemm), on the shapes that dominate the language models (LSTM steps, the softmax decoder) and large squares,
// with 1 and 2 threads. Prints GFLOP/s (medians) and the ratios ours / OpenBLAS and ours / oneDNN.
//
// The machine is shared and noisy, so each shape is measured in short interleaved rounds (ours, OpenBLAS, oneDNN,
// ours, …; about 25 ms per library and round, in batches of about 5 ms). The GFLOP/s columns are the medians over
// the rounds; the ratio columns /OpenBLAS and /oneDNN are the medians of the ratio within each round (a slow
// stretch of the host that covers a round slows all three alike and leaves its ratio alone, where a ratio of
// medians takes each library's median from other moments). One-thread runs are timed in thread CPU time (see
// now()). best/BL and best/DNN compare the fastest batch of each library over all rounds: interference
// from other programs only ever adds time, so the best batch is what each library does when the machine leaves it
// alone, while the medians are what a user of a shared machine sees. "ours best" is our fastest batch in GFLOP/s.
// With --fma-peak it also prints how the FMA loop alone spreads over short windows (print_fma_spread).
//
//   build/bench/gemm_peers                 # all shapes, 1 and 2 threads
//   build/bench/gemm_peers --threads 1     # one thread count
//   build/bench/gemm_peers --quick         # fewer rounds
//   build/bench/gemm_peers --only LSTM     # the shapes whose name contains "LSTM"
//   build/bench/gemm_peers --fma-peak      # also measure the FMA peak for each thread count (bench/fma_peak.hpp)
//   build/bench/gemm_peers --loop-order panels   # force our loop order (ops/gemm.hpp; default: chosen per shape)
#include <cblas.h>
#include <dnnl.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/fma_peak.hpp"
#include "ops/aligned.hpp"
#include "ops/cpu_info.hpp"
#include "ops/gemm.hpp"
#include "ops/parallel.hpp"
#include "ops/random.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

using tapegrad::index_t;

struct Shape {
  const char* name;
  index_t m, n, k;
  bool ta, tb;
};

const Shape kShapes[] = {
    {"square 1024", 1024, 1024, 1024, false, false},
    {"square 2048", 2048, 2048, 2048, false, false},
    {"LSTM-200 fwd b20", 20, 800, 400, false, false},
    {"LSTM-200 fwd b32", 32, 800, 400, false, false},
    {"LSTM-200 fwd b64", 64, 800, 400, false, false},
    {"LSTM-200 fwd b128", 128, 800, 400, false, false},
    {"LSTM-200 dX b20", 20, 400, 800, false, true},
    {"LSTM-200 dW b20", 800, 400, 20, true, false},
    {"LSTM-650 fwd b20", 20, 2600, 1300, false, false},
    {"LSTM-650 fwd b64", 64, 2600, 1300, false, false},
    {"decoder fwd", 700, 10000, 200, false, true},
    {"decoder dH", 700, 200, 10000, false, false},
    {"decoder dW", 10000, 200, 700, true, false},
    // The same products in tapegrad's layout (weights stored in × out, y = x·W): dX = dZ·Wᵀ, dW = Xᵀ·dZ.
    {"ours LSTM-200 dW b20", 400, 800, 20, true, false},
    {"ours decoder fwd", 700, 10000, 200, false, false},
    {"ours decoder dH", 700, 200, 10000, false, true},
    {"ours decoder dW", 200, 10000, 700, true, false},
};

using tapegrad::bench::thread_cpu_seconds;
using tapegrad::bench::wall_seconds;
// With one thread every library computes on the calling thread, so its CPU time is the time the computation took
// even when the machine is shared (time slices given to other processes are not counted). With two threads there is
// no such clock: wall time, and the interleaving keeps the comparison fair.
double (*now)() = wall_seconds;

// Calls per batch of f so that one batch lasts about kBatchSeconds (after a warm-up call: page faults, packing
// buffers, thread pools).
constexpr double kBatchSeconds = 0.005;
int batch_calls(const std::function<void()>& f) {
  f();
  int calls = 1;
  for (;;) {
    const double t0 = now();
    for (int i = 0; i < calls; ++i) f();
    const double dt = now() - t0;
    if (dt >= kBatchSeconds) return calls;
    calls = dt <= 0 ? calls * 10 : std::max(calls + 1, static_cast<int>(calls * kBatchSeconds / dt * 1.1));
  }
}

// One library's timing of one shape in one round: seconds per call over the whole round, and in its fastest batch.
struct Timing {
  double mean, best;
};

// Times f in batches of `calls` calls for about `budget` seconds, after one untimed call (which absorbs the switch
// from the previous library: its threads still spinning, its packed buffers in the caches).
Timing time_round(const std::function<void()>& f, int calls, double budget) {
  f();
  double total = 0.0, best = std::numeric_limits<double>::infinity();
  long long done = 0;
  while (total < budget) {
    const double t0 = now();
    for (int i = 0; i < calls; ++i) f();
    const double per_call = (now() - t0) / calls;
    total += per_call * calls;
    done += calls;
    best = std::min(best, per_call);
  }
  return {total / static_cast<double>(done), best};
}

// How much the host takes from the FMA units alone: the FMA chains of bench/fma_peak.hpp in 100 windows of about
// 10 ms of thread CPU time, their median against their best. Compared with the GEMM's median against its best batch
// (the "ours best" column), it tells interference in the caches and memory (which slows a GEMM) from interference in
// the core's arithmetic (which would slow this loop as much).
void print_fma_spread() {
  constexpr int kWindows = 100;
  constexpr long kIterations = 2'000'000;
  std::vector<double> rates;
  for (int w = 0; w < kWindows; ++w) rates.push_back(tapegrad::bench::detail::one_thread_gflops(kIterations));
  std::sort(rates.begin(), rates.end());
  std::printf("FMA loop, 1 thread, %d windows of ~10 ms: median %.1f GFLOP/s = %.0f%% of the best window (%.1f)\n",
              kWindows, rates[kWindows / 2], 100.0 * rates[kWindows / 2] / rates.back(), rates.back());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> thread_counts = {1, 2};
  int rounds = 40;
  double budget = 0.025;
  bool peak = false;
  std::string only;  // run only the shapes whose name contains this
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      thread_counts = {std::atoi(argv[++i])};
    } else if (!std::strcmp(argv[i], "--quick")) {
      rounds = 12;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else if (!std::strcmp(argv[i], "--fma-peak")) {
      peak = true;
    } else if (!std::strcmp(argv[i], "--loop-order") && i + 1 < argc) {
      try {
        tapegrad::ops::set_gemm_loop_order(tapegrad::bench::loop_order_named(argv[++i]));
      } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "gemm_peers: %s\n", e.what());
        return 2;
      }
    } else {
      std::fprintf(
          stderr, "usage: %s [--threads N] [--quick] [--fma-peak] [--only NAME-PART] [--loop-order auto|panels|rows]\n",
          argv[0]);
      return 2;
    }
  }
  std::printf("%s\n", tapegrad::bench::cpu_line().c_str());
  const tapegrad::ops::GemmBlocking blocking = tapegrad::ops::gemm_blocking();
  std::printf("tapegrad GEMM blocking: %dx%lld tile, kc %lld, mc %lld, nc %lld (caches: %s)\n", blocking.mr,
              static_cast<long long>(blocking.nr), static_cast<long long>(blocking.kc),
              static_cast<long long>(blocking.mc), static_cast<long long>(blocking.nc),
              tapegrad::ops::this_cpu().cache_source.c_str());
  if (peak) {  // measured on as many threads as the table uses (bench/fma_peak.hpp)
    for (int threads : thread_counts)
      std::printf("FMA peak, %d thread%s: %.0f GFLOP/s\n", threads, threads == 1 ? "" : "s",
                  tapegrad::bench::fma_peak_gflops(threads));
    print_fma_spread();
    std::printf("\n");
  }

  std::printf("%-22s %3s %9s %9s %9s %8s %8s %8s %8s %9s\n", "shape", "thr", "ours", "OpenBLAS", "oneDNN", "/OpenBLAS",
              "/oneDNN", "best/BL", "best/DNN", "ours best");
  for (int threads : thread_counts) {
    now = threads == 1 ? thread_cpu_seconds : wall_seconds;
    tapegrad::ops::set_num_threads(threads);
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);
    for (const Shape& s : kShapes) {
      if (!only.empty() && std::string(s.name).find(only) == std::string::npos) continue;
      tapegrad::Rng rng(1);
      const index_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
      // 64-byte aligned, as tapegrad's tensors (and PyTorch's) are: a matrix 16 bytes off a cache line makes half of
      // a kernel's vector loads straddle two lines, which moved single results by up to 25% from run to run.
      const auto matrix = [&](index_t rows, index_t cols) {
        const auto n = static_cast<std::size_t>(rows * cols);
        tapegrad::AlignedBuffer m = tapegrad::allocate_aligned(n);
        for (std::size_t i = 0; i < n; ++i) m[i] = rng.uniform(-1, 1);
        return m;
      };
      const tapegrad::AlignedBuffer a = matrix(s.m, s.k), b = matrix(s.k, s.n), c = matrix(s.m, s.n);
      const auto ours = [&] {
        tapegrad::ops::gemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.get(), lda, b.get(), ldb, 0.0f, c.get(), s.n);
      };
      const auto openblas = [&] {
        cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
                    static_cast<int>(s.m), static_cast<int>(s.n), static_cast<int>(s.k), 1.0f, a.get(),
                    static_cast<int>(lda), b.get(), static_cast<int>(ldb), 0.0f, c.get(), static_cast<int>(s.n));
      };
      const auto onednn = [&] {
        dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, 1.0f, a.get(), lda, b.get(), ldb, 0.0f, c.get(),
                   s.n);
      };
      const std::function<void()> libraries[3] = {ours, openblas, onednn};
      int calls[3];
      for (int l = 0; l < 3; ++l) calls[l] = batch_calls(libraries[l]);
      std::vector<double> per_call[3];  // [library][round]
      double best[3];
      std::fill(std::begin(best), std::end(best), std::numeric_limits<double>::infinity());
      for (int r = 0; r < rounds; ++r)
        for (int l = 0; l < 3; ++l) {
          const Timing t = time_round(libraries[l], calls[l], budget);
          per_call[l].push_back(t.mean);
          best[l] = std::min(best[l], t.best);
        }
      // ours / peer as the median over rounds of the ratio within a round: the three libraries of one round ran
      // within about 0.1 s of each other, so a slow stretch of the host that covers a round leaves its ratio alone
      const auto paired = [&](int peer) {
        std::vector<double> ratios;
        for (int r = 0; r < rounds; ++r)
          ratios.push_back(per_call[peer][static_cast<std::size_t>(r)] / per_call[0][static_cast<std::size_t>(r)]);
        return median(ratios);
      };
      const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
      const auto gflops = [&](int l) { return flops / median(per_call[l]) * 1e-9; };
      std::printf("%-22s %3d %9.1f %9.1f %9.1f %8.2fx %7.2fx %7.2fx %7.2fx %9.1f\n", s.name, threads, gflops(0),
                  gflops(1), gflops(2), paired(1), paired(2), best[1] / best[0], best[2] / best[0],
                  flops / best[0] * 1e-9);
      std::fflush(stdout);
    }
  }
  return 0;
}
