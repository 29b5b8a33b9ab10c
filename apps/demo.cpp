// `tapegrad demo`: the smallest complete tour of the tape. A tanh RNN cell unrolled over a few steps on random
// inputs (one weight matrix reused at every step), a loss, the backward pass, the tape printed one line per node,
// the shared weight's gradient shown to be the sum of its per-step contributions, and a gradient check.
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "autograd/autograd.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {

using namespace tapegrad::autograd;

struct DemoOptions {
  int steps = 3;
  int hidden = 2;
  int batch = 1;
  unsigned seed = 1;
  bool tape_only = false;
  bool stats = false;
};

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  Tensor t(shape);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (index_t i = 0; i < t.numel(); ++i) t[i] = dist(rng);
  return t;
}

// What the demo reads back after backward: per step, the pre-activation a_t (gradient retained) and h_t.
struct Trace {
  std::vector<Var> pre, hidden;
};

// The model, as a function of its parameters so gradcheck can differentiate it:
//   a_t = x_t W_x + h_{t−1} W_h + b,   h_t = tanh(a_t),   h_0 = 0,   J = Σ_t mean(h_t)
struct Demo {
  std::vector<Tensor> xs;  // inputs, one batch × hidden matrix per step
  int steps;

  Var run(Tape& tape, std::span<const Var> p, Trace* trace = nullptr) const {
    const Var &W_x = p[0], &W_h = p[1], &b = p[2];
    Var h = tape.full(Shape{xs[0].shape()[0], W_h.shape()[0]}, 0.0f);
    Var loss;
    for (int t = 0; t < steps; ++t) {
      ScopeGuard step(tape, "t=" + std::to_string(t + 1));
      // One statement per node: argument evaluation order is unspecified in C++, and the tape records in call
      // order, so nested calls would make the tape's order compiler-dependent.
      Var x = tape.constant(xs[static_cast<std::size_t>(t)]);
      Var from_input = matmul(x, W_x);
      Var from_state = matmul(h, W_h);
      Var a = add_bias(add(from_input, from_state), b);
      h = tanh(a);
      if (trace) {
        tape.retain_grad(a);
        trace->pre.push_back(a);
        trace->hidden.push_back(h);
      }
      Var term = mean(h);
      loss = t == 0 ? term : add(loss, term);
    }
    return loss;
  }
};

std::string row_of(ConstTensorView v) {
  std::string s = "[";
  char buf[32];
  for (index_t i = 0; i < v.numel(); ++i) {
    std::snprintf(buf, sizeof buf, i ? " %+.5f" : "%+.5f", static_cast<double>(v[i]));
    s += buf;
  }
  return s + "]";
}

int run_demo(const DemoOptions& o) {
  if (o.steps < 1 || o.hidden < 1 || o.batch < 1) throw UsageError("demo: --steps, --hidden and --batch must be ≥ 1");
  std::mt19937 rng(o.seed);
  const index_t H = o.hidden;
  Demo demo{{}, o.steps};
  for (int t = 0; t < o.steps; ++t) demo.xs.push_back(random_tensor(Shape{o.batch, H}, rng));
  std::vector<Tensor> params = {random_tensor(Shape{H, H}, rng), random_tensor(Shape{H, H}, rng),
                                random_tensor(Shape{H}, rng)};
  std::vector<Tensor> grads = {Tensor(Shape{H, H}), Tensor(Shape{H, H}), Tensor(Shape{H})};
  const char* names[] = {"W_x", "W_h", "b"};

  Tape tape;
  std::vector<Var> p;
  for (std::size_t i = 0; i < params.size(); ++i) p.push_back(tape.parameter(params[i], grads[i], names[i]));
  Trace trace;
  Var loss = demo.run(tape, p, &trace);
  tape.backward(loss);

  DumpOptions dump;
  dump.values = dump.grads = o.stats;
  if (o.tape_only) {
    tape.dump(std::cout, dump);
    return 0;
  }

  std::cout << "A tanh RNN, h_t = tanh(x_t W_x + h_{t-1} W_h + b), unrolled over " << o.steps
            << " steps; J = sum_t mean(h_t).\n\n"
            << "The tape (" << tape.size() << " nodes; index, scope, op(inputs), shape):\n";
  tape.dump(std::cout, dump);
  std::printf("\nJ = %.6f\n\n", static_cast<double>(loss.item()));

  // W_h is one node used at every step; its gradient is the sum of one contribution per step,
  // h_{t-1}^T dJ/da_t, which the tape adds up by itself.
  std::cout << "dJ/dW_h, step by step (h_{t-1}^T dJ/da_t, read from retained gradients):\n";
  Tensor total(Shape{H, H});
  for (int t = 0; t < o.steps; ++t) {
    const auto step = static_cast<std::size_t>(t);
    ConstTensorView ga = tape.grad(trace.pre[step]);
    const Tensor h_prev = t == 0 ? Tensor(Shape{o.batch, H}) : trace.hidden[step - 1].to_tensor();
    Tensor contribution(Shape{H, H});
    for (index_t r = 0; r < o.batch; ++r)
      for (index_t i = 0; i < H; ++i)
        for (index_t j = 0; j < H; ++j) contribution.at(i, j) += h_prev.at(r, i) * ga.at(r, j);
    for (index_t k = 0; k < total.numel(); ++k) total[k] += contribution[k];
    std::cout << "  step " << t + 1 << ": " << row_of(contribution.view()) << '\n';
  }
  std::cout << "  sum:    " << row_of(total.view()) << '\n'
            << "  tape:   " << row_of(grads[1].view()) << "  (the accumulated gradient of W_h)\n\n";

  GradcheckResult check = gradcheck([&demo](Tape& t, std::span<const Var> v) { return demo.run(t, v); }, params);
  std::cout << check.report << '\n';
  return check.passed ? 0 : 1;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "Record a small RNN on the tape, run backward, print the tape and "
                                     "check the gradients against finite differences");
  cmd->add_option("--steps", options->steps, "time steps to unroll")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--hidden", options->hidden, "hidden size")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--batch", options->batch, "batch size")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--seed", options->seed, "random seed")->capture_default_str();
  cmd->add_flag("--tape-only", options->tape_only, "print only the tape dump (used to generate docs/autograd.md)");
  cmd->add_flag("--stats", options->stats, "add value and gradient statistics to each tape line");
  return [options] { return run_demo(*options); };
}

}  // namespace tapegrad::cli
