// What folding clipping into the SGD step saves: the time of clip_grad_norm + SGD::step against nn::clip_and_step
// (nn/clip_step.hpp) on the packed parameters of a reference language model, with every gradient dense and the
// global norm above max_norm, so that clipping scales — the case the fused path is for (a step within the bound is
// the same two passes either way).
//
//   composed: pass 1 reads g (norm), pass 2 reads and writes g (g ← g·s), pass 3 reads g and p, writes p
//   fused:    pass 1 reads g (norm),                                    pass 2 reads g and p, writes p
//
// Each repetition restores the gradients first (untimed), then times one clip + step; medians over --reps, the two
// forms interleaved, in wall time, for each thread count of --threads (the passes split long runs between threads).
// The norm pass alone (nn::grad_norm: ops::SumOfSquares, eight double lanes in fixed chunks) is timed too, and beside
// it the one serial chain in double it replaced, the peer measured in the same run. Both forms must leave the same
// parameters (checked: the run fails otherwise).
//
//   build/bench/clip_step                       # lstm and char512, 1 and 2 threads
//   build/bench/clip_step --models lstm --reps 50 --threads 1
#include "nn/clip_step.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.hpp"
#include "lm/neural/configs.hpp"
#include "nn/clip.hpp"
#include "nn/sgd.hpp"
#include "ops/parallel.hpp"
#include "ops/text.hpp"

namespace {

using namespace tapegrad;

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The peer: Σ g_i² as one serial chain in double, each addition waiting for the one before (3–4 cycles per value) —
// what nn::grad_norm computed before it used ops::SumOfSquares.
double serial_sum_sq(std::span<const float> g) {
  double sum = 0.0;
  for (float v : g) sum += static_cast<double>(v) * v;
  return sum;
}

// Every gradient set to a fixed pseudo-random value (grad() marks an embedding's gradient dense).
void fill_gradients(const std::vector<nn::Parameter*>& params, std::uint64_t seed) {
  Rng rng(seed);
  for (nn::Parameter* p : params)
    for (float& g : p->grad().span()) g = rng.uniform(-1.0f, 1.0f);
}

void measure(const std::string& name, int reps, const std::vector<int>& thread_counts) {
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
  for (int threads : thread_counts) {
    ops::set_num_threads(threads);
    std::vector<double> t_composed, t_fused, t_norm, t_serial;
    for (int r = 0; r < reps; ++r) {
      double t0 = seconds_now();
      volatile double norm = nn::grad_norm(pc);
      (void)norm;
      t_norm.push_back(seconds_now() - t0);
      t0 = seconds_now();
      volatile double serial = serial_sum_sq(std::as_const(*composed.block()).gradients());
      (void)serial;
      t_serial.push_back(seconds_now() - t0);

      std::copy(saved.begin(), saved.end(), composed.block()->gradients().begin());
      t0 = seconds_now();
      nn::clip_grad_norm(pc, max_norm);
      composed.step();
      t_composed.push_back(seconds_now() - t0);

      std::copy(saved.begin(), saved.end(), fused.block()->gradients().begin());
      t0 = seconds_now();
      nn::clip_and_step(fused, max_norm);
      t_fused.push_back(seconds_now() - t0);
    }
    const auto vc = composed.block()->values(), vf = fused.block()->values();
    if (!std::equal(vc.begin(), vc.end(), vf.begin()))
      throw std::runtime_error("clip_step: the composed and fused steps left different parameters");
    const double mc = median(t_composed) * 1e3, mf = median(t_fused) * 1e3, mn = median(t_norm) * 1e3,
                 ms = median(t_serial) * 1e3;
    std::printf(
        "%-8s %9lld parameters, %d thread(s): clip + step %6.2f ms  fused %6.2f ms  (saved %4.1f%%)  norm pass %5.2f ms"
        "  (one serial chain, 1 thread: %5.2f ms)\n",
        name.c_str(), static_cast<long long>(composed.block()->size()), threads, mc, mf, 100.0 * (mc - mf) / mc, mn,
        ms);
    std::printf(
        "RESULT clip_step model=%s threads=%d params=%lld composed_ms=%.3f fused_ms=%.3f norm_ms=%.3f "
        "serial_norm_ms=%.3f\n",
        name.c_str(), threads, static_cast<long long>(composed.block()->size()), mc, mf, mn, ms);
  }
  ops::set_automatic_threads();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = {"lstm", "char512"};
  int reps = 21;
  std::vector<int> thread_counts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--models" && i + 1 < argc) {
      models = split_list(argv[++i]);
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--threads" && i + 1 < argc) {
      thread_counts.clear();
      for (const std::string& t : split_list(argv[++i])) thread_counts.push_back(std::max(1, std::stoi(t)));
    } else {
      std::fprintf(stderr, "usage: clip_step [--models lstm,char512] [--reps N] [--threads 1,2]\n");
      return 2;
    }
  }
  try {
    std::printf("%s\n", bench::cpu_line().c_str());
    for (const std::string& m : models) measure(m, reps, thread_counts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clip_step: %s\n", e.what());
    return 2;
  }
  return 0;
}
