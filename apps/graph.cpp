// `tapegrad graph`: draws the tape a model records — a 2-layer MLP, a recurrent cell unrolled over a few steps, a
// whole language model (window, RNN, LSTM, GRU; fresh or from a checkpoint) on a short real text, or a bidirectional
// tagger on a sentence (its two directions as two rows of time steps) — as a diagram (SVG, PNG, PDF or DOT, by the
// output's extension), at the op or the module level, optionally with the gradient flow or a gradient-norm heat map
// after backward. The figures of docs/diagrams.md come from here (scripts/gen-figures.sh).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "apps/graph_lm.hpp"
#include "apps/graph_tagger.hpp"
#include "autograd/autograd.hpp"
#include "autograd/viz/dot.hpp"
#include "autograd/viz/render.hpp"
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
  std::string form = nn::cell_form_name(nn::CellForm::Composed);  // every gate visible
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
  LmGraphOptions lm;                   // --model / --checkpoint
  std::vector<std::string> sentences;  // --model tagger
  bool chars = false;                  // --model tagger
};

// The sentence --model reads by default: the first line of Tiny Shakespeare, tokenised as the word corpora are.
constexpr const char* kDefaultText = "First Citizen : Before we proceed any further , hear me speak .";
// The sentence --model tagger reads by default.
constexpr const char* kDefaultSentence = "the old man";

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

struct GivenFlags {
  bool steps, form, cell, model, checkpoint, loss, context, layers, batch, text, sentence, chars;
};

bool is_tagger(const GraphOptions& o, const GivenFlags& given) { return given.model && o.lm.model == "tagger"; }

void check_flags(const GraphOptions& o, const GivenFlags& given) {
  if (given.model && given.checkpoint)
    throw UsageError("graph: --checkpoint already says which model it is; drop --model");
  if (is_tagger(o, given)) {
    if (o.cell == "mlp")
      throw UsageError("graph: --model tagger reads with an rnn, lstm or gru cell (--cell), not mlp");
    if (given.steps || given.loss || given.context || given.layers || given.batch || given.text)
      throw UsageError(
          "graph: --steps, --loss, --context, --layers, --batch and --text do not apply to --model "
          "tagger: it reads --sentence (give --sentence twice for a padded batch of two sentences)");
    return;
  }
  if (given.sentence || given.chars) throw UsageError("graph: --sentence and --chars apply to --model tagger");
  const bool lm = given.model || given.checkpoint;
  if (lm && given.cell) throw UsageError("graph: give either --cell (a lone cell or MLP) or --model/--checkpoint");
  if (!lm && (given.loss || given.context || given.layers))
    throw UsageError("graph: --loss, --context and --layers apply to language models (--model or --checkpoint)");
  const bool window = lm && o.lm.model == "window";
  if (!lm && o.cell == "mlp" && (given.steps || given.form))
    throw UsageError("graph: --steps and --form apply to recurrent cells (rnn, lstm, gru), not to --cell mlp");
  if (window && (given.steps || given.form || given.loss || given.layers))
    throw UsageError("graph: --steps, --form, --loss and --layers apply to recurrent models, not to --model window");
  if (given.checkpoint && given.form) throw UsageError("graph: a checkpoint's cells keep the form they were saved in");
}

int run_graph(GraphOptions o, const GivenFlags& given) {
  check_flags(o, given);
  graph_format_of(o.output);  // a bad extension or cell form fails before any work
  const nn::CellForm form = nn::parse_cell_form(o.form);

  Rng rng(o.seed);
  Tape tape;
  std::unique_ptr<nn::Module> model;
  LmGraph lm_graph;          // owns the language model, when there is one
  TaggerGraph tagger_graph;  // owns the tagger, when there is one
  Var loss;
  std::string what;
  if (is_tagger(o, given)) {
    TaggerGraphOptions t;
    t.sentences = given.sentence ? o.sentences : std::vector<std::string>{kDefaultSentence};
    t.cell = nn::parse_cell_type(o.cell);
    t.form = form;
    t.chars = o.chars;
    t.word_dim = o.input;
    t.hidden = o.hidden;
    t.seed = o.seed;
    tagger_graph = record_tagger_graph(tape, t);
    loss = tagger_graph.loss;
    what = tagger_graph.description;
  } else if (given.model || given.checkpoint) {
    o.lm.steps = o.steps, o.lm.emsize = o.input, o.lm.hidden = o.hidden, o.lm.seed = o.seed;
    o.lm.form = form;
    lm_graph = record_lm_graph(tape, o.lm);
    loss = lm_graph.loss;
    what = lm_graph.description;
  } else if (o.cell == "mlp") {
    auto m = std::make_unique<Mlp>(o.input, o.hidden, rng);
    loss = record_mlp(tape, *m, o, rng);
    what = "MLP " + std::to_string(o.input) + "→" + std::to_string(o.hidden) + "→" + std::to_string(kMlpClasses);
    model = std::move(m);
  } else {
    nn::CellOptions cell_options;
    cell_options.form = form;
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
  if (tagger_graph.tagger) {  // the two directions as two rows of steps, each step captioned with its word
    dot.reverse_row_suffix = "_reverse";
    dot.step_captions = tagger_graph.step_captions;
  }
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
      "Draw the tape a model records (an MLP, an RNN/LSTM/GRU cell unrolled over a few steps, or a whole "
      "language model on a short text) as a diagram: SVG, PNG, PDF or DOT, chosen by the output file's extension");
  CLI::Option* cell = cmd->add_option("--cell", o->cell,
                                      "a lone model: mlp (2 linear layers, tanh, cross-entropy) or a recurrent cell "
                                      "on random inputs; with --model tagger, the tagger's cell (rnn, lstm or gru)")
                          ->capture_default_str()
                          ->check(CLI::IsMember({"mlp", "rnn", "lstm", "gru"}));
  CLI::Option* model =
      cmd->add_option("--model", o->lm.model,
                      "a language model on real text instead: window, rnn, lstm or gru (embedding, cells, decoder, "
                      "softmax cross-entropy), fresh with --input/--hidden sizes and the text's words as vocabulary; "
                      "or tagger: a bidirectional --cell tagger on --sentence (made-up tags), its two directions drawn "
                      "as two rows of steps")
          ->check(CLI::IsMember({"window", "rnn", "lstm", "gru", "tagger"}));
  CLI::Option* checkpoint =
      cmd->add_option("--checkpoint", o->lm.checkpoint, "a language model saved by `tapegrad train`, drawn on --text")
          ->check(CLI::ExistingFile);
  o->lm.text = kDefaultText;
  CLI::Option* text =
      cmd->add_option("--text", o->lm.text, "language models: the input text (the first tokens are read)")
          ->capture_default_str();
  CLI::Option* sentence =
      cmd->add_option("--sentence", o->sentences,
                      "--model tagger: the sentence read (words split on white space; default \"" +
                          std::string(kDefaultSentence) + "\"); give it twice for a padded batch of two")
          ->allow_extra_args(false);
  CLI::Option* chars =
      cmd->add_flag("--chars", o->chars, "--model tagger: with the character encoder (a BiLSTM over each word)");
  CLI::Option* loss = cmd->add_option("--loss", o->lm.loss,
                                      "recurrent language models: last (J on the last prediction only, reached "
                                      "through time) or all (the training loss over every step)")
                          ->capture_default_str()
                          ->check(CLI::IsMember({"last", "all"}));
  CLI::Option* context = cmd->add_option("--context", o->lm.context, "--model window: words of history")
                             ->capture_default_str()
                             ->check(CLI::Range(1, 16));
  CLI::Option* layers = cmd->add_option("--layers", o->lm.layers, "recurrent --model: stacked layers")
                            ->capture_default_str()
                            ->check(CLI::Range(1, 8));
  CLI::Option* form =
      cmd->add_option("--form", o->form, "cell form: composed (every gate visible) or fused (one node per step)")
          ->capture_default_str();
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
  CLI::Option* batch =
      cmd->add_option("--batch", o->batch, "batch size")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--input", o->input, "input size (the embedding size with --model)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--hidden", o->hidden, "hidden size (per direction with --model tagger)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--seed", o->seed, "random seed of weights and inputs")->capture_default_str();
  cmd->add_option("--max-nodes", o->max_nodes, "refuse to draw more nodes than this")
      ->capture_default_str()
      ->check(flag::whole(1, 1'000'000));
  cmd->add_option("--title", o->title, "title above the diagram (default: describes the model)");
  cmd->add_option("-o,--output", o->output, "output file: .svg, .png, .pdf, .dot or .gv")
      ->required()
      ->check(flag::output_file());
  cmd->footer(
      "Examples:\n"
      "  tapegrad graph --cell lstm --steps 2 -o lstm.svg                       every gate of 2 steps\n"
      "  tapegrad graph --cell lstm --steps 4 --level module --grad -o l.svg    one box per step, gradient flow\n"
      "  tapegrad graph --cell rnn --steps 8 --level module --heat -o h.png     where the gradient fades\n"
      "  tapegrad graph --model lstm --steps 6 --level module --heat -o m.svg   an LSTM LM on a real sentence\n"
      "  tapegrad graph --model tagger --sentence \"the old man\" --form fused -o t.svg   a BiLSTM tagger, 2 rows\n"
      "Colours, levels and clusters are explained in docs/diagrams.md.");
  return [=] {
    const GivenFlags given{steps->count() > 0,      form->count() > 0, cell->count() > 0,     model->count() > 0,
                           checkpoint->count() > 0, loss->count() > 0, context->count() > 0,  layers->count() > 0,
                           batch->count() > 0,      text->count() > 0, sentence->count() > 0, chars->count() > 0};
    return run_graph(*o, given);
  };
}

}  // namespace tapegrad::cli
