// WindowLM: concatenated embeddings, a tanh hidden layer, the output layer (and direct connections).
#include "lm/neural/window_lm.hpp"

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;
using autograd::ScopeGuard;
using autograd::Var;

namespace {
// The configuration, checked before any member is built from it.
const ModelConfig& checked(const ModelConfig& config) {
  if (config.recurrent())
    throw UsageError(std::string("WindowLM: the configuration is of a recurrent model (") +
                     model_kind_name(config.kind) + "), not a window one");
  config.validate();
  return config;
}
}  // namespace

WindowLM::WindowLM(const ModelConfig& config, Rng& rng) : config_(checked(config)), dropout_(config.dropout) {
  const float emb_range = config.init_range > 0 ? config.init_range : 0.1f;
  nn::LinearOptions lo;
  lo.init_range = config.init_range;
  embedding_ = &add_module("embedding", std::make_unique<nn::Embedding>(config.vocab, config.emsize, rng, emb_range));
  hidden_ = &add_module("hidden", std::make_unique<nn::Linear>(config.context * config.emsize, config.nhid, rng, lo));
  output_ = &add_module("output", std::make_unique<nn::Linear>(config.nhid, config.vocab, rng, lo));
  if (config.direct) {
    nn::LinearOptions no_bias = lo;
    no_bias.bias = false;
    direct_ =
        &add_module("direct", std::make_unique<nn::Linear>(config.context * config.emsize, config.vocab, rng, no_bias));
  }
  register_module("dropout", dropout_);
}

WindowLM::Output WindowLM::forward(ag::Tape& tape, std::span<const std::int32_t> contexts,
                                   std::span<const std::int32_t> targets, index_t batch, Rng& rng) {
  const index_t width = config_.context * config_.emsize;
  if (batch <= 0 || contexts.size() != static_cast<std::size_t>(batch * config_.context))
    throw ShapeError("WindowLM::forward: " + std::to_string(contexts.size()) + " context ids for " +
                     std::to_string(batch) + " examples of " + std::to_string(config_.context) + " words");
  if (!targets.empty() && targets.size() != static_cast<std::size_t>(batch))
    throw ShapeError("WindowLM::forward: " + std::to_string(targets.size()) + " targets for " + std::to_string(batch) +
                     " examples");
  Output out;
  Var e, h;
  {
    ScopeGuard s(tape, "embedding");
    e = ag::reshape(embedding_->forward(tape, contexts), Shape{batch, width});
  }
  {
    ScopeGuard s(tape, "hidden");
    h = ag::tanh(hidden_->forward(e));
    h = dropout_.forward(h, rng);
  }
  {
    ScopeGuard s(tape, "output");
    out.logits = output_->forward(h);
    if (direct_) out.logits = out.logits + direct_->forward(e);
  }
  if (!targets.empty()) {
    ScopeGuard s(tape, "loss");
    out.loss = ag::cross_entropy(out.logits, targets);
  }
  return out;
}

}  // namespace tapegrad::lm
