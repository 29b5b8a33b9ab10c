// Language-model training and evaluation throughput (tokens/s) on the six reference configurations
// (lm/neural/configs.hpp), on synthetic uniform ids — the same measurement as the PyTorch script that
// bench/compare_torch.py runs back to back with this program to print the ratios ours / PyTorch.
//
// Training step = forward + backward + gradient clipping + SGD step (lm::Stepper, the trainer's own step).
// Evaluation = evaluation mode, no gradients, forward + loss on batches of the same shape.
// After --warmup steps, the steps per window are calibrated to about --window-sec seconds, and --windows windows
// are timed; the median rate is reported, with min and max. The peak resident memory of the process is reported
// too (run one configuration per process to attribute it).
//
//   build/bench/lm_throughput --models lstm --threads 1
//   build/bench/lm_throughput                       # all six, 1 and 2 threads
// --train-only skips evaluation (its eval column then repeats training).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "lm/neural/configs.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/sgd.hpp"
#include "ops/parallel.hpp"
#include "ops/text.hpp"

namespace {

using namespace tapegrad;
using namespace tapegrad::lm;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Rates {
  std::vector<double> rates;  // tokens/s per window
  long steps = 0;
  double median() const {
    std::vector<double> r = rates;
    std::sort(r.begin(), r.end());
    return r[r.size() / 2];
  }
};

Rates run_windows(const std::function<index_t()>& step, int warmup, int windows, double window_sec) {
  double t0 = now();
  for (int i = 0; i < std::max(1, warmup); ++i) step();
  double per_step = (now() - t0) / std::max(1, warmup);
  t0 = now();
  for (int i = 0; i < 2; ++i) step();
  per_step = std::min(per_step, (now() - t0) / 2);
  Rates r;
  r.steps = std::max(1L, std::lround(window_sec / std::max(per_step, 1e-6)));
  for (int w = 0; w < windows; ++w) {
    index_t tokens = 0;
    t0 = now();
    for (long s = 0; s < r.steps; ++s) tokens += step();
    r.rates.push_back(static_cast<double>(tokens) / (now() - t0));
  }
  return r;
}

void measure_model(const std::string& name, int threads, int warmup, int windows, double window_sec, bool train_only) {
  ops::set_num_threads(threads);
  const ReferenceConfig cfg = reference_config(name);
  Rng rng(1234);
  LanguageModel model(cfg.model, rng);
  nn::SGD sgd(model.module().parameters(), {.lr = cfg.lr});
  Stepper trainer(model, &sgd, cfg.clip), evaluator(model, nullptr, 0.0f);

  const bool recurrent = cfg.model.recurrent();
  const std::size_t n = recurrent ? static_cast<std::size_t>(cfg.batch * (cfg.bptt * 200 + 1)) : 1'000'000;
  const std::vector<std::int32_t> ids = bench::uniform_ids(n, cfg.model.vocab, 1234);

  std::function<index_t()> train_step, eval_step;
  StreamWindow window;
  std::vector<std::int32_t> contexts, targets;
  index_t position = 0, eval_position = 0;
  double last_loss = 0;
  if (recurrent) {
    static std::unique_ptr<StreamBatcher> batcher;
    batcher = std::make_unique<StreamBatcher>(ids, cfg.batch, cfg.bptt);
    train_step = [&] {
      batcher->get(position++ % batcher->windows(), window);
      const StepStats s = trainer.train(window, rng);
      last_loss = s.loss;
      return s.tokens;
    };
    eval_step = [&] {
      batcher->get(eval_position++ % batcher->windows(), window);
      return evaluator.evaluate(window).tokens;
    };
  } else {
    static std::unique_ptr<WindowBatcher> batcher;
    batcher = std::make_unique<WindowBatcher>(ids, cfg.model.context, cfg.batch, 0);
    batcher->start_epoch(true, 1234, 0);
    train_step = [&] {
      batcher->get(position++ % batcher->batches(), contexts, targets);
      const StepStats s = trainer.train(contexts, targets, rng);
      last_loss = s.loss;
      return s.tokens;
    };
    eval_step = [&] {
      batcher->get(eval_position++ % batcher->batches(), contexts, targets);
      return evaluator.evaluate(contexts, targets).tokens;
    };
  }
  const Rates train = run_windows(train_step, warmup, windows, window_sec);
  const Rates eval = train_only ? train : run_windows(eval_step, warmup, windows, window_sec);
  const auto [tmin, tmax] = std::minmax_element(train.rates.begin(), train.rates.end());
  const auto [emin, emax] = std::minmax_element(eval.rates.begin(), eval.rates.end());
  std::printf("%-8s threads=%d train %9.0f tok/s (min %.0f max %.0f, %zu x %ld steps)  eval %9.0f tok/s  loss %.3f\n",
              name.c_str(), threads, train.median(), *tmin, *tmax, train.rates.size(), train.steps, eval.median(),
              last_loss);
  std::printf(
      "RESULT tapegrad_lm model=%s threads=%d train_tok_s_med=%.0f train_tok_s_min=%.0f train_tok_s_max=%.0f "
      "eval_tok_s_med=%.0f eval_tok_s_min=%.0f eval_tok_s_max=%.0f params=%lld train_loss=%.3f "
      "peak_rss_mb=%.1f\n",
      name.c_str(), threads, train.median(), *tmin, *tmax, eval.median(), *emin, *emax,
      static_cast<long long>(model.module().parameter_count()), last_loss, bench::peak_rss_mb());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = reference_config_names();
  std::vector<int> threads = {1, 2};
  int warmup = 5, windows = 5;
  double window_sec = 1.5;
  bool train_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--models") {
      models = split_list(value());
    } else if (a == "--threads") {
      threads.clear();
      for (const std::string& t : split_list(value())) threads.push_back(std::stoi(t));
    } else if (a == "--warmup") {
      warmup = std::stoi(value());
    } else if (a == "--windows") {
      windows = std::stoi(value());
    } else if (a == "--window-sec") {
      window_sec = std::stod(value());
    } else if (a == "--train-only") {  // skip the evaluation runs (bench/profile_step.py profiles training alone)
      train_only = true;
    } else {
      std::fprintf(stderr,
                   "usage: lm_throughput [--models lstm,gru,rnn,mlp,char256,char512] [--threads 1,2] [--warmup N] "
                   "[--windows N] [--window-sec S] [--train-only]\n");
      return 2;
    }
  }
  try {
    for (int t : threads)
      for (const std::string& m : models) measure_model(m, t, warmup, windows, window_sec, train_only);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lm_throughput: %s\n", e.what());
    return 2;
  }
  return 0;
}
