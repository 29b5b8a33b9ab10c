// RNNLM: embedding, recurrent stack, decoder and loss on the tape.
#include "lm/neural/rnn_lm.hpp"

#include "autograd/functions.hpp"
#include "nn/init.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;
using autograd::ScopeGuard;
using autograd::Var;

namespace {
// The configuration, checked before any member is built from it.
const ModelConfig& checked(const ModelConfig& config) {
  if (!config.recurrent()) throw UsageError("RNNLM: the configuration is of a window model, not a recurrent one");
  config.validate();
  return config;
}
}  // namespace

RNNLM::RNNLM(const ModelConfig& config, Rng& rng) : config_(checked(config)), dropout_(config.dropout) {
  const float a = config.init_range;
  embedding_ = &add_module("embedding", std::make_unique<nn::Embedding>(config.vocab, config.emsize, rng, a));
  nn::RecurrentOptions ro = config.recurrent_options();
  ro.cell.init_range = a;
  rnn_ = &add_module("rnn", std::make_unique<nn::Recurrent>(config.emsize, config.nhid, rng, ro));
  if (config.tied) {
    decoder_bias_ = &add_parameter("decoder_bias", Shape{config.vocab});
    nn::init::uniform(decoder_bias_->value(), -a, a, rng);
  } else {
    nn::LinearOptions lo;
    lo.init_range = a;
    decoder_ = &add_module("decoder", std::make_unique<nn::Linear>(config.nhid, config.vocab, rng, lo));
  }
  register_module("dropout", dropout_);
}

const RNNLM::Output& RNNLM::forward(ag::Tape& tape, std::span<const std::int32_t> inputs,
                                    std::span<const std::int32_t> targets, index_t steps, index_t batch,
                                    std::span<const nn::CellState> initial, Rng& rng) {
  const auto n = static_cast<std::size_t>(steps * batch);
  if (steps <= 0 || batch <= 0 || inputs.size() != n)
    throw ShapeError("RNNLM::forward: " + std::to_string(inputs.size()) + " input ids for " + std::to_string(steps) +
                     " steps × " + std::to_string(batch) + " streams");
  if (!targets.empty() && targets.size() != n)
    throw ShapeError("RNNLM::forward: " + std::to_string(targets.size()) + " targets for " + std::to_string(n) +
                     " inputs");
  Output& out = out_;
  out = Output{};
  Var x;
  {
    ScopeGuard s(tape, "embedding");
    x = ag::reshape(dropout_.forward(embedding_->forward(tape, inputs), rng), Shape{steps, batch, config_.emsize});
  }
  out.sequence = &rnn_->forward(x, initial, rng);
  out.final_states = out.sequence->final_states;
  {
    ScopeGuard s(tape, "decoder");
    const Var h = ag::reshape(dropout_.forward(out.sequence->outputs, rng), Shape{steps * batch, config_.nhid});
    if (config_.tied)  // logits = h·Eᵀ + b
      out.logits = ag::linear(h, embedding_->table().var(tape), decoder_bias_->var(tape), /*transpose_w=*/true);
    else
      out.logits = decoder_->forward(h);
  }
  if (!targets.empty()) {
    ScopeGuard s(tape, "loss");
    out.loss = ag::cross_entropy(out.logits, targets);
  }
  return out;
}

}  // namespace tapegrad::lm
