// `tapegrad graph`: draws the tape a tiny model records — a 2-layer MLP, or a recurrent cell unrolled over a few
// steps — as a diagram (SVG, PNG, PDF or DOT, by the output's extension), at the op or the module level, optionally
// with the gradient flow or a gradient-norm heat map after backward. The figures of docs/diagrams.md come from here
// (scripts/gen-figures.sh).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "autograd/autograd.hpp"
#include "autograd/dot.hpp"
#include "autograd/render.hpp"
#include "nn/cell.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/recurrent.hpp"
#include "ops/error.hpp"
#include "ops/random.hpp"

namespace tapegrad::cli {

namespace {

using namespace tapegrad::autograd;

struct GraphOptions {
  std::string cell = "lstm";
  std::string form = "composed";
  int steps = 3;
  std::string level = "op";
  int depth = 2;
  bool grad = false;
  bool heat = false;
  bool stats = false;
  bool dump = false;
  int batch = 2;
  int input = 4;
  int hidden = 3;
  unsigned seed = 1;
  std::size_t max_nodes = 400;
  std::string title;
  std::string output;
};

constexpr index_t kMlpClasses = 3;

// The two models, as module trees so their parameters have readable names ("layer1.W", "lstm.W_hh").
struct Mlp : nn::Module {
  nn::Linear& layer1;
  nn::Linear& layer2;
  Mlp(index_t input, index_t hidden, Rng& rng)
      : layer1(add_module("layer1", std::make_unique<nn::Linear>(input, hidden, rng))),
        layer2(add_module("layer2", std::make_unique<nn::Linear>(hidden, kMlpClasses, rng))) {}
};

struct CellModel : nn::Module {
  nn::RecurrentCell& cell;
  CellModel(nn::CellType type, index_t input, index_t hidden, Rng& rng, const nn::CellOptions& options)
      : cell(add_module(nn::cell_type_name(type), nn::make_cell(type, input, hidden, rng, options))) {}
};

Tensor random_tensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  nn::init::uniform(t, -1.0f, 1.0f, rng);
  return t;
}

std::vector<std::int32_t> fixed_targets(index_t batch, index_t classes) {
  std::vector<std::int32_t> targets;
  for (index_t r = 0; r < batch; ++r) targets.push_back(static_cast<std::int32_t>(r % classes));
  return targets;
}

// logits = tanh(x W1 + b1) W2 + b2,  J = cross_entropy(logits, targets)
Var record_mlp(Tape& tape, Mlp& mlp, const GraphOptions& o, Rng& rng) {
  const Var x = tape.constant(random_tensor(Shape{o.batch, o.input}, rng));
  Var h, logits;
  {
    ScopeGuard s(tape, "layer1");
    h = tanh(mlp.layer1.forward(x));
  }
  {
    ScopeGuard s(tape, "layer2");
    logits = mlp.layer2.forward(h);
  }
  ScopeGuard s(tape, "loss");
  return cross_entropy(logits, fixed_targets(o.batch, kMlpClasses));
}

// The cell unrolled over `steps` random inputs from a zero state (nn::unroll: step t under "t=<t>/<cell>"), and
// J = cross_entropy(h_T, targets): a loss on the last output only, so the gradient must travel back through time.
Var record_cell(Tape& tape, CellModel& model, const GraphOptions& o, Rng& rng) {
  const Var xs = tape.constant(random_tensor(Shape{o.steps, o.batch, o.input}, rng));
  const nn::UnrollResult run =
      nn::unroll(model.cell, xs, model.cell.zero_state(tape, o.batch), false, nn::cell_type_name(model.cell.type()));
  ScopeGuard s(tape, "loss");
  return cross_entropy(run.final_state.h, fixed_targets(o.batch, o.hidden));
}

int run_graph(const GraphOptions& o, bool steps_given, bool form_given) {
  const bool mlp = o.cell == "mlp";
  if (mlp && (steps_given || form_given))
    throw UsageError("graph: --steps and --form apply to recurrent cells (rnn, lstm, gru), not to --cell mlp");
  graph_format_of(o.output);  // a bad extension fails before any work

  Rng rng(o.seed);
  Tape tape;
  std::unique_ptr<nn::Module> model;
  Var loss;
  std::string what;
  if (mlp) {
    auto m = std::make_unique<Mlp>(o.input, o.hidden, rng);
    loss = record_mlp(tape, *m, o, rng);
    what = "MLP " + std::to_string(o.input) + "→" + std::to_string(o.hidden) + "→" + std::to_string(kMlpClasses);
    model = std::move(m);
  } else {
    nn::CellOptions cell_options;
    cell_options.form = o.form == "fused" ? nn::CellForm::Fused : nn::CellForm::Composed;
    auto m = std::make_unique<CellModel>(nn::parse_cell_type(o.cell), o.input, o.hidden, rng, cell_options);
    loss = record_cell(tape, *m, o, rng);
    what = m->cell.describe() + ", " + std::to_string(o.steps) + (o.steps == 1 ? " step" : " steps");
    model = std::move(m);
  }
  if (o.grad || o.heat) tape.backward(loss);

  DotOptions dot;
  dot.level = o.level == "module" ? DotLevel::Module : DotLevel::Op;
  dot.collapse_depth = o.depth;
  dot.show_grad_flow = o.grad;
  dot.heat = o.heat;
  dot.stats = o.stats;
  dot.max_nodes = o.max_nodes;
  dot.title = !o.title.empty() ? o.title
                               : what + " — " + o.level + " level" + (o.heat ? ", heat: log‖∂J/∂v‖" : "") +
                                     (o.grad ? ", with gradient flow" : "");
  render_tape(tape, o.output, dot);
  if (o.dump) tape.dump(std::cout, DumpOptions{o.stats, o.stats && (o.grad || o.heat)});
  std::cerr << "graph: wrote " << o.output << " (" << tape.size() << " tape nodes)\n";
  return 0;
}

}  // namespace

Command add_graph_command(CLI::App& app) {
  auto o = std::make_shared<GraphOptions>();
  CLI::App* cmd = app.add_subcommand(
      "graph",
      "Draw the tape of a tiny model (an MLP, or an RNN/LSTM/GRU cell unrolled over a few steps) as a "
      "diagram: SVG, PNG, PDF or DOT, chosen by the output file's extension");
  cmd->add_option("--cell", o->cell, "the model: mlp (2 linear layers, tanh, cross-entropy) or a recurrent cell")
      ->capture_default_str()
      ->check(CLI::IsMember({"mlp", "rnn", "lstm", "gru"}));
  CLI::Option* form = cmd->add_option("--form", o->form,
                                      "cell form: composed (every gate visible) or fused (one "
                                      "node per step)")
                          ->capture_default_str()
                          ->check(CLI::IsMember({"composed", "fused"}));
  CLI::Option* steps = cmd->add_option("--steps", o->steps, "time steps to unroll (loss on the last output)")
                           ->capture_default_str()
                           ->check(CLI::Range(1, 1000));
  cmd->add_option("--level", o->level, "op: every tape node; module: each scope collapsed into one box")
      ->capture_default_str()
      ->check(CLI::IsMember({"op", "module"}));
  cmd->add_option("--depth", o->depth, "module level: collapse scopes at this depth (t=0/lstm is 2)")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--grad", o->grad, "run backward and draw the gradient flow (dashed edges)");
  cmd->add_flag("--heat", o->heat, "run backward and colour nodes by log ‖∂J/∂v‖ (where the gradient fades)");
  cmd->add_flag("--stats", o->stats, "add value statistics (and ‖grad‖ after backward) to every node");
  cmd->add_flag("--dump", o->dump, "also print the tape as text (the diagram's twin) on stdout");
  cmd->add_option("--batch", o->batch, "batch size")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--input", o->input, "input size")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--hidden", o->hidden, "hidden size")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--seed", o->seed, "random seed of weights and inputs")->capture_default_str();
  cmd->add_option("--max-nodes", o->max_nodes, "refuse to draw more nodes than this")->capture_default_str();
  cmd->add_option("--title", o->title, "title above the diagram (default: describes the model)");
  cmd->add_option("-o,--output", o->output, "output file: .svg, .png, .pdf, .dot or .gv")->required();
  cmd->footer(
      "Examples:\n"
      "  tapegrad graph --cell lstm --steps 2 -o lstm.svg                       every gate of 2 steps\n"
      "  tapegrad graph --cell lstm --steps 4 --level module --grad -o l.svg    one box per step, gradient flow\n"
      "  tapegrad graph --cell rnn --steps 8 --level module --heat -o h.png     where the gradient fades\n"
      "Colours, levels and clusters are explained in docs/diagrams.md.");
  return [o, steps, form] { return run_graph(*o, steps->count() > 0, form->count() > 0); };
}

}  // namespace tapegrad::cli
