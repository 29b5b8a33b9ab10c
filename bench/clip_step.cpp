// What folding clipping into the SGD step saves: the time of clip_grad_norm + SGD::step against nn::clip_and_step
// (nn/clip_step.hpp) on the packed parameters of a reference language model, with every gradient dense and the
// global norm above max_norm, so that clipping scales — the case the fused path is for (a step within the bound is
// the same two passes either way).
//
//   composed: pass 1 reads g (norm), pass 2 reads and writes g (g ← g·s), pass 3 reads g and p, writes p
//   fused:    pass 1 reads g (norm),                                    pass 2 reads g and p, writes p
//
// Each repetition restores the gradients first (untimed), then times one clip + step; medians over --reps, the two
// forms interleaved. The norm pass alone (nn::grad_norm: a serial sum in double, fixed order) is timed too, and
// beside it a sum in 8 lanes, to show what a different (not bit-identical) summation order would save. One thread
// (the loops are serial); timed in thread CPU time, so another process' time slices do not count. Both forms must leave
// the same parameters (checked: the run fails otherwise).
//
//   build/bench/clip_step                       # lstm and char512
//   build/bench/clip_step --models lstm --reps 50
#include "nn/clip_step.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/fma_peak.hpp"
#include "lm/neural/configs.hpp"
#include "nn/clip.hpp"
#include "nn/sgd.hpp"
#include "ops/text.hpp"

namespace {

using namespace tapegrad;

using bench::thread_cpu_seconds;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// What a norm pass could cost with another summation order (not what nn::grad_norm computes — its bits would
// change): Σ g_i² in 8 double lanes, lane = i mod 8 of the position in the block, lanes added at the end. The serial
// sum of nn::grad_norm waits for each addition (latency ≈ 3–4 cycles per value); eight independent lanes vectorize.
double lane_sum_sq(std::span<const float> g) {
  double lane[8] = {};
  const std::size_t n = g.size(), body = n - n % 8;
  for (std::size_t i = 0; i < body; i += 8)
    for (int j = 0; j < 8; ++j)
      lane[j] += static_cast<double>(g[i + static_cast<std::size_t>(j)]) * g[i + static_cast<std::size_t>(j)];
  for (std::size_t i = body; i < n; ++i) lane[i % 8] += static_cast<double>(g[i]) * g[i];
  double sum = 0;
  for (double x : lane) sum += x;
  return sum;
}

// Every gradient set to a fixed pseudo-random value (grad() marks an embedding's gradient dense).
void fill_gradients(const std::vector<nn::Parameter*>& params, std::uint64_t seed) {
  Rng rng(seed);
  for (nn::Parameter* p : params)
    for (float& g : p->grad().span()) g = rng.uniform(-1.0f, 1.0f);
}

void measure(const std::string& name, int reps) {
  const lm::ReferenceConfig cfg = lm::reference_config(name);
  Rng rng(7);
  lm::LanguageModel composed_model(cfg.model, rng), fused_model(cfg.model, rng);
  const auto pc = composed_model.module().parameters(), pf = fused_model.module().parameters();
  // A tiny learning rate keeps the parameters where they are over many repetitions; the work does not depend on it.
  nn::SGD composed(pc, {.lr = 1e-7f}), fused(pf, {.lr = 1e-7f});
  if (composed.block() == nullptr || fused.block() == nullptr)
    throw std::runtime_error("clip_step: the model's parameters are not packed into one block");
  std::memcpy(fused.block()->values().data(), composed.block()->values().data(),
              composed.block()->values().size_bytes());
  fill_gradients(pc, 11);
  fill_gradients(pf, 11);
  const std::vector<float> saved(composed.block()->gradients().begin(), composed.block()->gradients().end());
  const double max_norm = nn::grad_norm(pc) / 2;  // always clipped
  std::vector<double> t_composed, t_fused, t_norm, t_lanes;
  for (int r = 0; r < reps; ++r) {
    double t0 = thread_cpu_seconds();
    volatile double norm = nn::grad_norm(pc);
    (void)norm;
    t_norm.push_back(thread_cpu_seconds() - t0);
    t0 = thread_cpu_seconds();
    volatile double lanes = lane_sum_sq(std::as_const(*composed.block()).gradients());
    (void)lanes;
    t_lanes.push_back(thread_cpu_seconds() - t0);

    std::copy(saved.begin(), saved.end(), composed.block()->gradients().begin());
    t0 = thread_cpu_seconds();
    nn::clip_grad_norm(pc, max_norm);
    composed.step();
    t_composed.push_back(thread_cpu_seconds() - t0);

    std::copy(saved.begin(), saved.end(), fused.block()->gradients().begin());
    t0 = thread_cpu_seconds();
    nn::clip_and_step(fused, max_norm);
    t_fused.push_back(thread_cpu_seconds() - t0);
  }
  const auto vc = composed.block()->values(), vf = fused.block()->values();
  if (!std::equal(vc.begin(), vc.end(), vf.begin()))
    throw std::runtime_error("clip_step: the composed and fused steps left different parameters");
  const double mc = median(t_composed) * 1e3, mf = median(t_fused) * 1e3, mn = median(t_norm) * 1e3,
               ml = median(t_lanes) * 1e3;
  std::printf(
      "%-8s %9lld parameters  clip + step %7.2f ms  fused %7.2f ms  saved %5.1f%%  (the norm pass alone %.2f ms)\n",
      name.c_str(), static_cast<long long>(composed.block()->size()), mc, mf, 100.0 * (mc - mf) / mc, mn);
  std::printf("%-8s the norm pass in 8 double lanes (another summation order, other bits) would take %.2f ms\n",
              name.c_str(), ml);
  std::printf("RESULT clip_step model=%s params=%lld composed_ms=%.3f fused_ms=%.3f norm_ms=%.3f lane_norm_ms=%.3f\n",
              name.c_str(), static_cast<long long>(composed.block()->size()), mc, mf, mn, ml);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = {"lstm", "char512"};
  int reps = 21;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--models" && i + 1 < argc) {
      models = split_list(argv[++i]);
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::stoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: clip_step [--models lstm,char512] [--reps N]\n");
      return 2;
    }
  }
  try {
    std::printf("%s\n", bench::cpu_line().c_str());
    for (const std::string& m : models) measure(m, reps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clip_step: %s\n", e.what());
    return 2;
  }
  return 0;
}
