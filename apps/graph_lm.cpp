// record_lm_graph: builds (or loads) a language model and records one forward pass and loss on a short text.
#include "apps/graph_lm.hpp"

#include <span>
#include <vector>

#include "autograd/functions.hpp"
#include "lm/text/corpus.hpp"
#include "ops/error.hpp"
#include "ops/random.hpp"

namespace tapegrad::cli {

namespace {

namespace ag = autograd;

// A fresh model whose vocabulary is the words of the text itself (plus <unk> and </s>).
lm::SavedModel fresh_model(const LmGraphOptions& o) {
  lm::SavedModel s;
  s.vocab = lm::Vocab::build(lm::TokenCorpus::parse_words(o.text, "--text"));
  s.level = lm::TokenLevel::Word;
  lm::ModelConfig& c = s.config;
  c.kind = lm::parse_model_kind(o.model);
  c.vocab = static_cast<index_t>(s.vocab.size());
  c.emsize = o.emsize;
  c.nhid = o.hidden;
  c.nlayers = o.layers;
  c.context = o.context;
  c.form = o.form;
  Rng rng(o.seed);
  s.model = std::make_unique<lm::LanguageModel>(c, rng);
  return s;
}

std::string quoted(const lm::SavedModel& m, std::span<const std::int32_t> ids) {
  std::string text;
  for (std::int32_t id : ids) text += (text.empty() ? "" : " ") + m.token_text(id);
  return "“" + text + "”";
}

void require_tokens(std::size_t have, index_t need, const std::string& what) {
  if (have < static_cast<std::size_t>(need))
    throw UsageError("graph: the text has " + std::to_string(have) + " tokens, but " + what + " needs " +
                     std::to_string(need) + " (give a longer --text or fewer --steps)");
}

}  // namespace

LmGraph record_lm_graph(ag::Tape& tape, const LmGraphOptions& o) {
  if (o.loss != "last" && o.loss != "all") throw UsageError("graph: --loss must be last or all, got '" + o.loss + "'");
  LmGraph g;
  g.model = o.checkpoint.empty() ? fresh_model(o) : lm::SavedModel::load(o.checkpoint);
  lm::LanguageModel& model = *g.model.model;
  const lm::ModelConfig& c = model.config();
  model.module().eval();
  const std::vector<std::int32_t> ids = g.model.encode(o.text);
  Rng no_dropout(0);
  const std::span<const std::int32_t> all(ids);
  if (!c.recurrent()) {
    // One window: the context words predict the next; --loss has nothing else to choose from.
    require_tokens(ids.size(), c.context + 1, "a window of context " + std::to_string(c.context) + " plus a target");
    g.loss = model.window().forward(tape, all.first(c.context), all.subspan(c.context, 1), 1, no_dropout).loss;
    g.description = c.describe() + " on " + quoted(g.model, all.first(c.context)) + " → " +
                    quoted(g.model, all.subspan(c.context, 1));
    return g;
  }
  const index_t T = o.steps;
  require_tokens(ids.size(), T + 1, std::to_string(T) + " steps plus a target");
  const std::span<const std::int32_t> inputs = all.first(T), targets = all.subspan(1, T);
  lm::RNNLM& rnn = model.rnn();
  if (o.loss == "all") {
    // The training loss: every step predicts its successor (teacher forcing).
    g.loss = rnn.forward(tape, inputs, targets, T, 1, {}, no_dropout).loss;
  } else {
    // J on the last prediction only, so every earlier step is reached through time alone.
    const lm::RNNLM::Output& out = rnn.forward(tape, inputs, {}, T, 1, {}, no_dropout);
    ag::ScopeGuard s(tape, "loss");
    const ag::Var last = ag::select(out.logits, T - 1);  // logits: (T·1) × vocab, row T−1 = the last step
    g.loss = ag::cross_entropy(ag::reshape(last, Shape{1, c.vocab}), targets.last(1));
  }
  g.description = c.describe() + " on " + quoted(g.model, inputs) + " → " + quoted(g.model, targets.last(1)) +
                  (o.loss == "all" ? " (loss at every step)" : "");
  return g;
}

}  // namespace tapegrad::cli
