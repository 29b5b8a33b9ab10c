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
//   build/bench/lm_throughput --models char256 --threads 1 --gemm-shapes 8   # and where its GEMM time goes
// --train-only skips evaluation (its eval column then repeats training). --no-fma-peak skips measuring the peak
// (bench/profile_step.py passes it, so that the profile holds training only; the shares are then nan).
//
// The step as a share of the machine's limit. At the start the program prints the CPU and the FMA peak it measures
// for each thread count (bench/fma_peak.hpp: all threads running FMA chains on registers at once), and measures it
// again after each configuration's windows, keeping the higher (a peak taken while another process held a core comes
// out low and would overstate the shares; a share still above 100% is flagged). Over the timed
// windows it counts the multiply-adds of every GEMM the process runs (ops::gemm_multiply_adds(): each product of the
// forward pass and of the backward pass — input and weight gradients, the decoder, the recurrent steps), and prints
//
//   gemm GFLOP/step   = 2 · multiply-adds / timed steps / 10⁹
//   achieved GFLOP/s  = 2 · multiply-adds / wall time of the timed windows / 10⁹     (training, and evaluation)
//   peak share        = achieved GFLOP/s / FMA peak for the same thread count
//   with one thread also over the process CPU time instead of the wall time (peak_share_cpu): on a shared machine
//   the wall clock runs on while another process has the core; the CPU-time share is what the step did while it ran
//
// Only GEMM is counted: pointwise math (cell gates, softmax, cross-entropy, the optimizer) does useful work too but
// is not in the numerator while its time is in the denominator, and the wall-clock windows include every other cost
// (tape bookkeeping, memory traffic, another process' time slices), so the share is a lower bound on how much of the
// FMA units' capacity the step uses — it can only understate utilization, never flatter it.
// --loop-order panels|rows forces the GEMM's loop order for products whose B is packed (ops/gemm.hpp; default auto),
// to measure what the automatic choice gains in a step.
// --gemm-shapes N also prints, per configuration, the N products the timed training windows spent the most GEMM time
// on (ops::set_gemm_shape_timing): shape, calls per step, share of the GEMM time and GFLOP/s, the wall time of each
// call with its threads. The timing is on only then (it adds a clock read and a lock to each product).
// It also prints how many training steps were clipped (gradient norm above the configuration's clip): on these
// synthetic uniform ids none is, so the fused clip + SGD pass of nn::clip_and_step is not exercised here
// (bench/clip_step measures it).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/fma_peak.hpp"
#include "lm/neural/configs.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/sgd.hpp"
#include "ops/gemm.hpp"
#include "ops/parallel.hpp"
#include "ops/text.hpp"

namespace {

using namespace tapegrad;
using namespace tapegrad::lm;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
// CPU time of the whole process (all its threads): with one thread, the time the step really ran, even while another
// process shares the core.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Rates {
  std::vector<double> rates;  // tokens/s per window
  long steps = 0;             // per window
  double seconds = 0;         // wall time of all timed windows
  double cpu_seconds = 0;     // process CPU time of all timed windows
  double gemm_flops = 0;      // 2 · GEMM multiply-adds over all timed windows
  double gflop_per_step() const { return gemm_flops / (static_cast<double>(steps) * rates.size()) * 1e-9; }
  double gflops() const { return gemm_flops / seconds * 1e-9; }
  double cpu_gflops() const { return gemm_flops / cpu_seconds * 1e-9; }
  double median() const {
    std::vector<double> r = rates;
    std::sort(r.begin(), r.end());
    return r[r.size() / 2];
  }
};

Rates run_windows(const std::function<index_t()>& step, int warmup, int windows, double window_sec,
                  bool time_shapes = false) {
  double t0 = now();
  for (int i = 0; i < std::max(1, warmup); ++i) step();
  double per_step = (now() - t0) / std::max(1, warmup);
  t0 = now();
  for (int i = 0; i < 2; ++i) step();
  per_step = std::min(per_step, (now() - t0) / 2);
  Rates r;
  r.steps = std::max(1L, std::lround(window_sec / std::max(per_step, 1e-6)));
  if (time_shapes) ops::set_gemm_shape_timing(true);
  for (int w = 0; w < windows; ++w) {
    index_t tokens = 0;
    const std::uint64_t madds0 = ops::gemm_multiply_adds();
    const double c0 = process_cpu_seconds();
    t0 = now();
    for (long s = 0; s < r.steps; ++s) tokens += step();
    const double dt = now() - t0;
    r.cpu_seconds += process_cpu_seconds() - c0;
    r.gemm_flops += 2.0 * static_cast<double>(ops::gemm_multiply_adds() - madds0);
    r.seconds += dt;
    r.rates.push_back(static_cast<double>(tokens) / dt);
  }
  if (time_shapes) ops::set_gemm_shape_timing(false);
  return r;
}

// The `top` products of the timed training windows that took the most time (ops::gemm_shape_times).
void print_gemm_shapes(const std::string& name, int threads, long steps, int top) {
  const std::vector<ops::GemmShapeTime> table = ops::gemm_shape_times();
  double total = 0;
  for (const ops::GemmShapeTime& e : table) total += e.seconds;
  std::printf("%-8s threads=%d GEMM shapes of a training step, the most time first (%zu shapes):\n", name.c_str(),
              threads, table.size());
  std::printf("  %7s %10s  %-24s %s\n", "share", "calls/step", "m x n x k", "GFLOP/s");
  for (std::size_t i = 0; i < table.size() && static_cast<int>(i) < top; ++i) {
    const ops::GemmShapeTime& e = table[i];
    const std::string shape = std::to_string(e.m) + " x " + std::to_string(e.n) + " x " + std::to_string(e.k) +
                              (e.trans_a ? " Aᵀ" : "") + (e.trans_b ? " Bᵀ" : "");
    const double flops = 2.0 * static_cast<double>(e.m) * static_cast<double>(e.n) * static_cast<double>(e.k) *
                         static_cast<double>(e.calls);
    // padded to 24 characters on screen (ᵀ takes three bytes)
    const std::size_t shown = static_cast<std::size_t>(std::count_if(
        shape.begin(), shape.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
    std::printf("  %6.1f%% %10.1f  %s%s %.1f\n", 100.0 * e.seconds / total,
                static_cast<double>(e.calls) / static_cast<double>(std::max(1L, steps)), shape.c_str(),
                std::string(shown < 24 ? 24 - shown : 0, ' ').c_str(), flops / e.seconds * 1e-9);
  }
}

// fma_peak: the best FMA peak measured so far for this thread count (nan: not measured). It is measured again after
// the timed windows and raised when that comes out higher, so a peak taken while the machine was busy does not
// overstate this configuration's share, nor the next ones'.
void measure_model(const std::string& name, int threads, double& fma_peak, int warmup, int windows, double window_sec,
                   bool train_only, int gemm_shapes) {
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
  long train_steps = 0, clipped_steps = 0;  // steps whose gradient norm exceeded cfg.clip (the update was clipped)
  const auto count_clipping = [&](const StepStats& st) {
    ++train_steps;
    clipped_steps += cfg.clip > 0 && st.grad_norm > cfg.clip;
  };
  if (recurrent) {
    static std::unique_ptr<StreamBatcher> batcher;
    batcher = std::make_unique<StreamBatcher>(ids, cfg.batch, cfg.bptt);
    train_step = [&] {
      batcher->get(position++ % batcher->windows(), window);
      const StepStats s = trainer.train(window, rng);
      last_loss = s.loss;
      count_clipping(s);
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
      count_clipping(s);
      return s.tokens;
    };
    eval_step = [&] {
      batcher->get(eval_position++ % batcher->batches(), contexts, targets);
      return evaluator.evaluate(contexts, targets).tokens;
    };
  }
  const Rates train = run_windows(train_step, warmup, windows, window_sec, gemm_shapes > 0);
  const Rates eval = train_only ? train : run_windows(eval_step, warmup, windows, window_sec);
  if (!std::isnan(fma_peak)) {
    const double again = bench::fma_peak_gflops(threads);
    if (again > 1.05 * fma_peak)  // smaller differences are the usual spread of the measurement: not worth a line
      std::printf(
          "FMA peak, %d thread%s, measured again after the windows: %.1f GFLOP/s (was %.1f; used from here on)\n",
          threads, threads == 1 ? "" : "s", again, fma_peak);
    fma_peak = std::max(fma_peak, again);
  }
  const auto [tmin, tmax] = std::minmax_element(train.rates.begin(), train.rates.end());
  const auto [emin, emax] = std::minmax_element(eval.rates.begin(), eval.rates.end());
  std::printf("%-8s threads=%d train %9.0f tok/s (min %.0f max %.0f, %zu x %ld steps)  eval %9.0f tok/s  loss %.3f\n",
              name.c_str(), threads, train.median(), *tmin, *tmax, train.rates.size(), train.steps, eval.median(),
              last_loss);
  // One thread: the same GFLOP over the process CPU time too (what the step did while it had the core). With more
  // threads the process CPU time also counts OpenMP workers spinning at barriers, so it is not reported.
  const double nan = std::nan("");
  const double train_cpu = threads == 1 ? train.cpu_gflops() : nan, eval_cpu = threads == 1 ? eval.cpu_gflops() : nan;
  // "68.7 GFLOP/s = 67.5% of the FMA peak 101.7 (CPU time: 68.8 = 67.6%)": the shares only when the peak was
  // measured, the CPU-time figure only with one thread (a nan is not printed in the readable line).
  const auto rate = [&](double wall_gflops, double cpu_gflops) {
    std::string text;
    const auto add = [&text](const char* format, auto... values) {
      char piece[64];
      std::snprintf(piece, sizeof piece, format, values...);
      text += piece;
    };
    add("%.1f GFLOP/s", wall_gflops);
    if (!std::isnan(fma_peak)) add(" = %.1f%% of the FMA peak %.1f", 100.0 * wall_gflops / fma_peak, fma_peak);
    if (!std::isnan(cpu_gflops)) {
      add(" (CPU time: %.1f", cpu_gflops);
      if (!std::isnan(fma_peak)) add(" = %.1f%%", 100.0 * cpu_gflops / fma_peak);
      text += ")";
    }
    return text;
  };
  std::printf(
      "%-8s threads=%d GEMM GFLOP/step %.3f train, %.3f eval; GEMM train %s, eval %s; %ld of %ld training steps "
      "clipped\n",
      name.c_str(), threads, train.gflop_per_step(), eval.gflop_per_step(), rate(train.gflops(), train_cpu).c_str(),
      rate(eval.gflops(), eval_cpu).c_str(), clipped_steps, train_steps);
  std::printf(
      "RESULT tapegrad_lm model=%s threads=%d train_tok_s_med=%.0f train_tok_s_min=%.0f train_tok_s_max=%.0f "
      "eval_tok_s_med=%.0f eval_tok_s_min=%.0f eval_tok_s_max=%.0f params=%lld train_loss=%.3f "
      "peak_rss_mb=%.1f gemm_gflop_per_step=%.4f train_gflops=%.2f fma_peak=%.2f peak_share=%.4f "
      "peak_share_cpu=%.4f eval_gemm_gflop_per_step=%.4f eval_gflops=%.2f eval_peak_share=%.4f "
      "eval_peak_share_cpu=%.4f clipped_frac=%.3f\n",
      name.c_str(), threads, train.median(), *tmin, *tmax, eval.median(), *emin, *emax,
      static_cast<long long>(model.module().parameter_count()), last_loss, bench::peak_rss_mb(), train.gflop_per_step(),
      train.gflops(), fma_peak, train.gflops() / fma_peak, train_cpu / fma_peak, eval.gflop_per_step(), eval.gflops(),
      eval.gflops() / fma_peak, eval_cpu / fma_peak,
      static_cast<double>(clipped_steps) / static_cast<double>(std::max(1L, train_steps)));
  if (train.gflops() > fma_peak)
    std::printf(
        "warning: %s with %d thread%s ran its GEMMs faster than the FMA peak measured (%.1f > %.1f GFLOP/s): the peak "
        "was measured while the machine was busy, so the shares above are overstated\n",
        name.c_str(), threads, threads == 1 ? "" : "s", train.gflops(), fma_peak);
  if (gemm_shapes > 0)
    print_gemm_shapes(name, threads, train.steps * static_cast<long>(train.rates.size()), gemm_shapes);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = reference_config_names();
  std::vector<int> threads = {1, 2};
  int warmup = 5, windows = 5;
  double window_sec = 1.5;
  bool train_only = false, measure_peak = true;
  int gemm_shapes = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
        return argv[++i];
      };
      // a number for option a, or an error naming the option and the text (std::stoi's own says only "stoi")
      const auto number = [&](const std::string& text) -> double {
        std::size_t used = 0;
        double x = 0;
        try {
          x = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) throw std::runtime_error(a + ": '" + text + "' is not a number");
        return x;
      };
      const auto whole = [&](const std::string& text) -> int {
        const double x = number(text);
        if (x != std::floor(x) || x < 0 || x > 1e6)
          throw std::runtime_error(a + ": '" + text + "' is not a whole number from 0 to 1000000");
        return static_cast<int>(x);
      };
      if (a == "--models") {
        models = split_list(value());
      } else if (a == "--threads") {
        threads.clear();
        for (const std::string& t : split_list(value())) threads.push_back(whole(t));
      } else if (a == "--warmup") {
        warmup = whole(value());
      } else if (a == "--windows") {
        windows = whole(value());
      } else if (a == "--window-sec") {
        window_sec = number(value());
      } else if (a == "--train-only") {  // skip the evaluation runs (bench/profile_step.py profiles training alone)
        train_only = true;
      } else if (a == "--no-fma-peak") {
        measure_peak = false;
      } else if (a == "--loop-order") {  // force the GEMM's loop order (ops/gemm.hpp) to compare the two
        ops::set_gemm_loop_order(bench::loop_order_named(value()));
      } else if (a == "--gemm-shapes") {
        gemm_shapes = whole(value());
        if (gemm_shapes < 1) throw std::runtime_error("--gemm-shapes needs a count of at least 1");
      } else {
        std::fprintf(stderr,
                     "usage: lm_throughput [--models lstm,gru,rnn,mlp,char256,char512] [--threads 1,2] [--warmup N] "
                     "[--windows N] [--window-sec S] [--train-only] [--no-fma-peak] [--gemm-shapes N] "
                     "[--loop-order auto|panels|rows]\n");
        return 2;
      }
    }
    if (windows < 1) throw std::runtime_error("--windows must be at least 1");
    if (!(window_sec > 0)) throw std::runtime_error("--window-sec must be more than 0");
    for (int t : threads)
      if (t < 1) throw std::runtime_error("--threads: every count must be at least 1");
    std::printf("%s\n", bench::cpu_line().c_str());
    std::vector<double> peaks;
    for (int t : threads) {
      peaks.push_back(measure_peak ? bench::fma_peak_gflops(t) : std::nan(""));
      std::printf("FMA peak, %d thread%s: %.1f GFLOP/s\n", t, t == 1 ? "" : "s", peaks.back());
    }
    // A peak measured while another process holds a core comes out low, which would overstate the shares of that
    // thread count: say so when n threads reach less than 3/4 of n times what one did.
    for (std::size_t i = 0; i < threads.size(); ++i)
      for (std::size_t j = 0; j < threads.size(); ++j)
        if (threads[j] == 1 && threads[i] > 1 && peaks[i] < 0.75 * threads[i] * peaks[j])
          std::printf(
              "warning: the %d-thread FMA peak is %.0f%% of %d x the one-thread peak: the machine looks busy, "
              "and the %d-thread shares below are overstated\n",
              threads[i], 100.0 * peaks[i] / (threads[i] * peaks[j]), threads[i], threads[i]);
    std::fflush(stdout);
    for (std::size_t i = 0; i < threads.size(); ++i)
      for (const std::string& m : models)
        measure_model(m, threads[i], peaks[i], warmup, windows, window_sec, train_only, gemm_shapes);
  } catch (const std::exception& e) {  // a bad option value or a failed run
    std::fprintf(stderr, "lm_throughput: %s\n", e.what());
    return 2;
  }
  return 0;
}
