// CharWordEncoder: a padded batch of words through a character BiLSTM (see char_encoder.hpp).
#include "lm/sequence/char_encoder.hpp"

#include <numeric>

#include "autograd/functions.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

namespace {

// One bidirectional layer; an LSTM starts with forget-gate bias 1.
nn::RecurrentOptions char_rnn_options(nn::CellType cell) {
  nn::RecurrentOptions o;
  o.type = cell;
  o.bidirectional = true;
  o.cell.forget_bias = cell == nn::CellType::LSTM ? 1.0f : 0.0f;
  return o;
}

}  // namespace

CharWordEncoder::CharWordEncoder(index_t chars, index_t char_dim, index_t hidden, nn::CellType cell, Rng& rng) {
  embedding_ = &add_module("embedding", std::make_unique<nn::Embedding>(chars, char_dim, rng));
  rnn_ = &add_module("rnn", std::make_unique<nn::Recurrent>(char_dim, hidden, rng, char_rnn_options(cell)));
}

void CharWordEncoder::add_parameter_shapes(nn::ParameterShapes& shapes, const std::string& prefix, index_t chars,
                                           index_t char_dim, index_t hidden, nn::CellType cell) {
  nn::add_embedding_shapes(shapes, prefix + "embedding.", chars, char_dim);
  nn::add_recurrent_shapes(shapes, prefix + "rnn.", char_dim, hidden, char_rnn_options(cell));
}

ag::Var CharWordEncoder::forward(ag::Tape& tape, std::span<const std::vector<std::int32_t>> words, Rng& rng) {
  items_.resize(words.size());
  std::iota(items_.begin(), items_.end(), std::size_t{0});
  pad_batch(
      items_, [&](std::size_t i) { return std::span<const std::int32_t>(words[i]); }, 0, batch_);
  ag::ScopeGuard scope(tape, "char_encoder");
  const ag::Var e = ag::reshape(embedding_->forward(tape, batch_.ids),
                                Shape{batch_.steps, batch_.size, embedding_->dim()});
  const nn::SequenceOutput& out = rnn_->forward(e, {}, rng, batch_.lengths);
  return ag::concat({out.final_states[0].h, out.final_states[1].h});
}

}  // namespace tapegrad::lm
