// Kernel micro-benchmarks: GEMM on the shapes the language models spend their time in (see the table in the peer
// benchmark notes), the fused softmax + cross-entropy over the decoder's logits, and a few pointwise kernels.
// GEMM reports GFLOP/s (2·m·n·k per call), the others bytes/s and elements/s. Threads follow OMP_NUM_THREADS.
// The context block printed before the table (and the JSON output) names the CPU: "cpu: <model> (family … model …)".
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "bench/bench_util.hpp"
#include "ops/ops.hpp"

namespace {

using tapegrad::index_t;
namespace ops = tapegrad::ops;

// Registered before main (benchmark_main's) runs, so the context block Google Benchmark prints carries it.
const bool kCpuContext = [] {
  benchmark::AddCustomContext("cpu", tapegrad::bench::cpu_description());
  return true;
}();

// Short runs: the whole binary finishes in well under two minutes.
constexpr double kMinTime = 0.2;

std::vector<float> random_floats(index_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

// C (m×n) = op(A) · op(B), A stored m×k (k×m if trans_a), B stored k×n (n×k if trans_b). Args: m, n, k, ta, tb.
void BM_gemm(benchmark::State& state) {
  const index_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
  const auto a = random_floats(m * k, -1.0f, 1.0f, 1);
  const auto b = random_floats(k * n, -1.0f, 1.0f, 2);
  std::vector<float> c(static_cast<std::size_t>(m * n));
  for (auto _ : state) {
    ops::gemm(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(m * n * k) * static_cast<double>(state.iterations()) * 1e-9,
                         benchmark::Counter::kIsRate);
}

void gemm_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "n", "k", "ta", "tb"});
  b->Args({1024, 1024, 1024, 0, 0});                             // square
  for (int m : {20, 32, 64, 128}) b->Args({m, 800, 400, 0, 0});  // LSTM-200 step forward
  b->Args({20, 400, 800, 0, 1});                                 // LSTM-200 step, gradient wrt inputs
  b->Args({800, 400, 20, 1, 0});                                 // LSTM-200 step, weight gradient
  for (int m : {20, 64}) b->Args({m, 2600, 1300, 0, 0});         // LSTM-650 step forward
  b->Args({700, 10000, 200, 0, 1});                              // decoder forward: h · Wᵀ
  b->Args({700, 200, 10000, 0, 0});                              // decoder gradient wrt hidden
  b->Args({10000, 200, 700, 1, 0});                              // decoder weight gradient: Gᵀ · h
}
BENCHMARK(BM_gemm)->Apply(gemm_shapes)->MinTime(kMinTime)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Softmax + cross-entropy forward and backward over the decoder's logits (rows×cols = 700×10000).
void BM_softmax_xent(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const auto logits = random_floats(rows * cols, -5.0f, 5.0f, 3);
  std::vector<std::int32_t> targets(static_cast<std::size_t>(rows));
  for (index_t r = 0; r < rows; ++r)
    targets[static_cast<std::size_t>(r)] = static_cast<std::int32_t>((r * 7919) % cols);
  std::vector<float> loss(static_cast<std::size_t>(rows)), lse(static_cast<std::size_t>(rows));
  std::vector<float> grad(static_cast<std::size_t>(rows * cols), 0.0f);
  for (auto _ : state) {
    ops::softmax_xent_forward(rows, cols, logits.data(), targets.data(), loss.data(), lse.data());
    ops::softmax_xent_backward_acc(rows, cols, logits.data(), targets.data(), lse.data(), 1.0f / rows, grad.data());
    benchmark::DoNotOptimize(grad.data());
    benchmark::ClobberMemory();
  }
  const double elements = static_cast<double>(rows * cols) * static_cast<double>(state.iterations());
  // Bytes: the forward reads the logits twice (max, then exp-sum); the backward reads logits and reads+writes gx.
  state.counters["bytes/s"] = benchmark::Counter(elements * 5 * sizeof(float), benchmark::Counter::kIsRate);
  state.counters["elem/s"] = benchmark::Counter(elements, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_softmax_xent)->Args({700, 10000})->MinTime(kMinTime)->Unit(benchmark::kMillisecond)->UseRealTime();

// Pointwise kernels over n floats: bytes counted as what the kernel reads plus what it writes.
template <void (*Kernel)(index_t, const float*, float*)>
void BM_unary(benchmark::State& state) {
  const index_t n = state.range(0);
  const auto x = random_floats(n, -3.0f, 3.0f, 4);
  std::vector<float> y(static_cast<std::size_t>(n));
  for (auto _ : state) {
    Kernel(n, x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double elements = static_cast<double>(n) * static_cast<double>(state.iterations());
  state.counters["bytes/s"] = benchmark::Counter(elements * 2 * sizeof(float), benchmark::Counter::kIsRate);
  state.counters["elem/s"] = benchmark::Counter(elements, benchmark::Counter::kIsRate);
}

void BM_add(benchmark::State& state) {
  const index_t n = state.range(0);
  const auto a = random_floats(n, -1.0f, 1.0f, 5);
  const auto b = random_floats(n, -1.0f, 1.0f, 6);
  std::vector<float> y(static_cast<std::size_t>(n));
  for (auto _ : state) {
    ops::add(n, a.data(), b.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double elements = static_cast<double>(n) * static_cast<double>(state.iterations());
  state.counters["bytes/s"] = benchmark::Counter(elements * 3 * sizeof(float), benchmark::Counter::kIsRate);
  state.counters["elem/s"] = benchmark::Counter(elements, benchmark::Counter::kIsRate);
}

void pointwise_setup(benchmark::internal::Benchmark* b) {
  b->Arg(1 << 20)->MinTime(kMinTime)->Unit(benchmark::kMicrosecond)->UseRealTime();
}
BENCHMARK(BM_add)->Apply(pointwise_setup);
BENCHMARK(BM_unary<ops::tanh>)->Name("BM_tanh")->Apply(pointwise_setup);
BENCHMARK(BM_unary<ops::sigmoid>)->Name("BM_sigmoid")->Apply(pointwise_setup);

}  // namespace
