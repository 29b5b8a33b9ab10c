// The FMA peak of this machine, measured rather than assumed: the yardstick every "share of the peak" figure of the
// benchmarks divides by (bench/gemm_peers --fma-peak, bench/lm_throughput).
//
// Each thread runs kFmaChains independent chains acc_j ← acc_j·a + b on SIMD registers (simd::kWidth floats each), so
// the FMA units never wait for a result: a chain's next FMA needs its previous one, which takes the FMA latency L
// (4 cycles on Zen 3/4 and on recent Intel cores), and with U units (2 on those cores) the units stay busy once
// there are at least U·L = 8 chains in flight. kFmaChains = 12 leaves margin and, with the two constants, still fits
// the 16 vector registers of AVX2 (16 chains would spill there; AVX-512 has 32 registers). The values converge to
// b / (1 − a) = 0.1: no overflow, no denormals to slow anything down.
//
//   FLOPs = 2 (multiply + add) · kFmaChains · kWidth · iterations, per thread
//   fma_peak_gflops(1)  = FLOPs / thread CPU time of the loop (time slices lent to other processes do not count)
//   fma_peak_gflops(n)  = n · FLOPs / wall time around an OpenMP region where n threads run the loop at once —
//                         measured, because two threads may not reach twice one (shared units with SMT siblings,
//                         lower all-core clocks); on a shared machine another process' load lowers it.
// The best of a few repetitions is reported: a peak is the most the hardware did, not its typical rate.
//
// Checked two ways: the compiled loop (g++ -O3 -march=native -S on a file calling detail::fma_chains) is 12
// register-to-register vfmadd and a branch, no loads or stores; and the number is plausible: 2 units · 8 floats ·
// 2 FLOPs = 32 FLOPs per cycle on AVX2 + FMA cores, about 100 GFLOP/s at 3.2 GHz (measured 99–102 on a Zen 3
// EPYC), 64 FLOPs per cycle with full-rate AVX-512.
#pragma once

#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ops/simd.hpp"

namespace tapegrad::bench {

// The clocks of the benchmarks: this thread's CPU time (time slices given to other processes do not count) and
// the monotonic wall clock, in seconds.
inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

namespace detail {

inline constexpr int kFmaChains = 12;

// Runs the chains for `iterations` rounds and returns a value that depends on all of them (so none is dropped).
// The fold over the index sequence names every accumulator with a constant index, which lets the compiler keep the
// whole array in registers.
inline float fma_chains(long iterations) {
  using simd::vfloat;
  std::array<vfloat, kFmaChains> acc;
  for (int j = 0; j < kFmaChains; ++j) acc[static_cast<std::size_t>(j)] = vfloat(1.0f + 0.001f * static_cast<float>(j));
  vfloat a(0.999999f), b(1e-7f);
  simd::pin(a);
  simd::pin(b);
  const auto round = [&]<std::size_t... J>(std::index_sequence<J...>) { ((acc[J] = simd::fma(acc[J], a, b)), ...); };
  for (long it = 0; it < iterations; ++it) round(std::make_index_sequence<kFmaChains>{});
  float sum = 0.0f;
  for (const vfloat& v : acc) sum += simd::hsum(v);
  return sum;
}

inline double fma_flops(long iterations) {
  return 2.0 * kFmaChains * static_cast<double>(simd::kWidth) * static_cast<double>(iterations);
}

// GFLOP/s of one run of the chains on the calling thread, `iterations` rounds, in its thread CPU time.
inline double one_thread_gflops(long iterations) {
  const double t0 = thread_cpu_seconds();
  volatile float sink = fma_chains(iterations);
  (void)sink;
  return fma_flops(iterations) / (thread_cpu_seconds() - t0) * 1e-9;
}

}  // namespace detail

// GFLOP/s of `threads` threads running the FMA chains at once (formulas above), the best of `repetitions` runs of
// `iterations` rounds per thread (20 million rounds ≈ 0.1 s per run on a 3 GHz AVX2 core). Throws
// std::invalid_argument for threads < 1, iterations < 1 or repetitions < 1.
inline double fma_peak_gflops(int threads, long iterations = 20'000'000, int repetitions = 3) {
  if (threads < 1 || iterations < 1 || repetitions < 1)
    throw std::invalid_argument("fma_peak_gflops: threads = " + std::to_string(threads) +
                                ", iterations = " + std::to_string(iterations) +
                                ", repetitions = " + std::to_string(repetitions) + " must all be ≥ 1");
  volatile float sink = 0.0f;
  double best = 0.0;
  for (int r = 0; r < repetitions; ++r) {
    double gflops = 0.0;
    if (threads == 1) {
      gflops = detail::one_thread_gflops(iterations);
    } else {
      std::vector<float> sums(static_cast<std::size_t>(threads), 0.0f);
      int team = 0;  // the threads OpenMP actually started (it may start fewer than asked)
      const double t0 = wall_seconds();
#pragma omp parallel num_threads(threads)
      {
#pragma omp single nowait
        team = omp_get_num_threads();
        sums[static_cast<std::size_t>(omp_get_thread_num())] = detail::fma_chains(iterations);
      }
      const double dt = wall_seconds() - t0;
      for (float s : sums) sink = sink + s;
      gflops = team * detail::fma_flops(iterations) / dt * 1e-9;
    }
    best = std::max(best, gflops);
  }
  return best;
}

}  // namespace tapegrad::bench
