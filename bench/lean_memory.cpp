// What lean backward (autograd::Tape::set_lean) saves on a language model's training step: the tape's memory (its
// values arena and its gradients arena, as reserved after a few identical steps) and the largest buffers of the
// step with where their gradients live, with lean mode on (as lm::Stepper trains) and off, plus the training
// throughput of both. Two identical models (same seed) train on the same synthetic uniform ids, one step of each in
// turn, so both see the same batches and the same machine load; their losses are compared bit for bit at the end.
//
//   build/bench/lean_memory                          # the peer benchmark's "lstm" configuration, 1 thread
//   build/bench/lean_memory --model gru --threads 2 --steps 20
//   build/bench/lean_memory --mode plain             # one mode per process, to read its peak resident memory
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "autograd/tape.hpp"
#include "bench/bench_util.hpp"
#include "lm/neural/configs.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/sgd.hpp"
#include "ops/parallel.hpp"

namespace {

using namespace tapegrad;
using namespace tapegrad::lm;
using autograd::GradStorage;
using autograd::Node;
using autograd::Tape;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
double mb(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// One model with its optimizer and stepper; lean or not.
struct Trainer {
  Trainer(const ReferenceConfig& cfg, bool lean)
      : lean(lean),
        init(1234),
        model(cfg.model, init),
        sgd(model.module().parameters(), {.lr = cfg.lr}),
        stepper(model, &sgd, cfg.clip) {
    stepper.tape().set_lean(lean);
  }
  bool lean;
  Rng init;
  LanguageModel model;
  nn::SGD sgd;
  Stepper stepper;
  Rng dropout{99};
  double seconds = 0;
  index_t tokens = 0;
  std::vector<double> losses;
};

// The tape's own storage held by node i: its value, when the tape allocated it (not a leaf's, not a view's), and its
// gradient, when it has a buffer of its own.
struct Buffer {
  std::size_t index = 0, value_bytes = 0, grad_bytes = 0;
  std::size_t total() const { return value_bytes + grad_bytes; }
};

std::vector<Buffer> biggest_buffers(const Tape& tape, std::size_t count) {
  std::vector<Buffer> all;
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node(i);
    const auto bytes = static_cast<std::size_t>(n.shape.numel()) * sizeof(float);
    Buffer b{i, 0, 0};
    if (!autograd::is_leaf(n.op) && !autograd::op_policy(n.op).view) b.value_bytes = bytes;
    if (n.grad_storage == GradStorage::Own) b.grad_bytes = bytes;
    if (b.total() > 0) all.push_back(b);
  }
  std::stable_sort(all.begin(), all.end(), [](const Buffer& a, const Buffer& b) { return a.total() > b.total(); });
  if (all.size() > count) all.resize(count);
  return all;
}

const char* storage_name(GradStorage s) {
  switch (s) {
    case GradStorage::None:
      return "none";
    case GradStorage::Own:
      return "a buffer of its own";
    case GradStorage::Parameter:
      return "the parameter's";
    case GradStorage::Source:
      return "part of its source's";
    case GradStorage::Value:
      return "written over the value";
  }
  return "?";
}

// s padded with spaces to `width` characters on screen ("×" is one character but two bytes), or cut to width − 1
// characters and "…".
std::string column(const std::string& s, std::size_t width) {
  std::vector<std::string> chars;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
    chars.push_back(s.substr(i, len));
    i += len;
  }
  if (chars.size() > width) {
    chars.resize(width - 1);
    chars.push_back("…");
  }
  std::string out;
  for (const std::string& c : chars) out += c;
  return out + std::string(width - chars.size(), ' ');
}

// Bytes of the gradients of the latest backward, by where they live.
std::size_t grad_bytes(const Tape& tape, GradStorage where) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < tape.size(); ++i)
    if (tape.node(i).grad_storage == where)
      total += static_cast<std::size_t>(tape.node(i).shape.numel()) * sizeof(float);
  return total;
}

// The largest buffers of the latest step: the tape's own storage for the value (a leaf's or a view's is not the
// tape's) and for the gradient (when it has a buffer of its own), in MiB.
void print_buffers(const Tape& tape, std::size_t count, const char* mode) {
  std::printf("\n  %s %s %s  value  gradient  where the gradient lives\n",
              column(std::string(mode) + ": largest buffers (MiB)", 32).c_str(), column("scope", 23).c_str(),
              column("shape", 9).c_str());
  for (const Buffer& b : biggest_buffers(tape, count)) {
    const Node& n = tape.node(b.index);
    const std::string label = "v" + std::to_string(b.index) + " " + tape.label(b.index);
    std::printf("    %s %s %s %6.2f  %8.2f  %s\n", column(label, 30).c_str(), column(tape.scope_of(n), 23).c_str(),
                column(n.shape.str(), 9).c_str(), mb(b.value_bytes), mb(b.grad_bytes), storage_name(n.grad_storage));
  }
}

int run(const std::string& name, int threads, int warmup, int steps, const std::string& mode) {
  ops::set_num_threads(threads);
  const ReferenceConfig cfg = reference_config(name);
  if (!cfg.model.recurrent()) throw std::runtime_error("lean_memory: '" + name + "' is not a recurrent model");

  std::vector<std::unique_ptr<Trainer>> trainers;
  if (mode != "lean") trainers.push_back(std::make_unique<Trainer>(cfg, false));
  if (mode != "plain") trainers.push_back(std::make_unique<Trainer>(cfg, true));

  const std::vector<std::int32_t> ids = bench::uniform_ids(
      static_cast<std::size_t>(cfg.batch * (cfg.bptt * (warmup + steps + 2) + 1)), cfg.model.vocab, 1234);
  const StreamBatcher batcher(ids, cfg.batch, cfg.bptt);
  StreamWindow window;

  for (int s = 0; s < warmup + steps; ++s) {
    batcher.get(s % batcher.windows(), window);
    for (auto& t : trainers) {  // the same window for every trainer, one after the other
      const double t0 = now();
      const StepStats st = t->stepper.train(window, t->dropout);
      if (s >= warmup) {
        t->seconds += now() - t0;
        t->tokens += st.tokens;
      }
      t->losses.push_back(st.loss);
    }
  }

  std::printf("lean_memory: model %s (vocab %lld, emb %lld, %lld×%lld, batch %lld, bptt %lld), %d thread(s), %s\n",
              name.c_str(), static_cast<long long>(cfg.model.vocab), static_cast<long long>(cfg.model.emsize),
              static_cast<long long>(cfg.model.nlayers), static_cast<long long>(cfg.model.nhid),
              static_cast<long long>(cfg.batch), static_cast<long long>(cfg.bptt), threads,
              bench::cpu_description().c_str());
  std::printf("  %d warm-up steps, then %d timed steps per mode, alternating\n\n", warmup, steps);
  std::printf("  %-30s", "");
  for (auto& t : trainers) std::printf("%12s", t->lean ? "lean" : "not lean");
  std::printf("\n");
  const auto row = [&](const char* what, const char* format, auto value) {
    std::printf("  %-30s", what);
    for (auto& t : trainers) std::printf(format, value(t->stepper.tape(), *t));
    std::printf("\n");
  };
  using T = const Tape&;
  row("tape values arena (MiB)", "%12.2f", [](T tape, auto&) { return mb(tape.reserved_value_bytes()); });
  row("tape gradients arena (MiB)", "%12.2f", [](T tape, auto&) { return mb(tape.reserved_grad_bytes()); });
  row("tape reserved_bytes (MiB)", "%12.2f", [](T tape, auto&) { return mb(tape.reserved_bytes()); });
  std::printf("  interior gradients (MiB):\n");
  row("  in buffers of their own", "%12.2f", [](T tape, auto&) { return mb(grad_bytes(tape, GradStorage::Own)); });
  row("  written over their values", "%12.2f", [](T tape, auto&) { return mb(grad_bytes(tape, GradStorage::Value)); });
  row("  parts of their sources'", "%12.2f", [](T tape, auto&) { return mb(grad_bytes(tape, GradStorage::Source)); });
  row("training tokens/s", "%12.0f", [](T, Trainer& t) { return static_cast<double>(t.tokens) / t.seconds; });
  row("last loss", "%12.6f", [](T, Trainer& t) { return t.losses.back(); });
  for (auto& t : trainers) print_buffers(t->stepper.tape(), 6, t->lean ? "lean" : "not lean");
  if (trainers.size() == 2) {
    const bool same = trainers[0]->losses == trainers[1]->losses;
    std::printf("\n  losses of all %zu steps bit-identical between the modes: %s\n", trainers[0]->losses.size(),
                same ? "yes" : "NO");
  }
  std::printf("  peak resident memory of this process: %.1f MiB\n", bench::peak_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "lstm", mode = "both";
  int threads = 1, warmup = 3, steps = 10;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
        return argv[++i];
      };
      if (a == "--model") {
        model = value();
      } else if (a == "--threads") {
        threads = std::stoi(value());
      } else if (a == "--warmup") {
        warmup = std::stoi(value());
      } else if (a == "--steps") {
        steps = std::stoi(value());
      } else if (a == "--mode") {
        mode = value();
        if (mode != "both" && mode != "lean" && mode != "plain")
          throw std::runtime_error("--mode: both, lean or plain");
      } else {
        std::fprintf(stderr,
                     "usage: lean_memory [--model lstm|gru|rnn|char256|char512] [--threads N] [--warmup N] "
                     "[--steps N] [--mode both|lean|plain]\n");
        return 2;
      }
    }
    if (warmup < 2 || steps < 1) throw std::runtime_error("needs --warmup ≥ 2 (the arenas settle) and --steps ≥ 1");
    return run(model, threads, warmup, steps, mode);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lean_memory: %s\n", e.what());
    return 2;
  }
}
