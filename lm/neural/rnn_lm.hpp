// RNNLM: the recurrent language model — embedding → a stack of RNN / LSTM / GRU layers → linear decoder → softmax —
// trained with cross-entropy under teacher forcing (the input at step t is the true token x_t, the target x_{t+1}).
//
//   e_t = E[x_t]                          (B × emsize)           embedding, then dropout
//   h_t = stack(e_t, h_{t−1})             (B × nhid)             nlayers cells, dropout between layers
//   ŷ_t = softmax(dropout(h_t)·U + b)     (B × vocab)            decoder; with tied weights U = Eᵀ
//   J   = −(1/TB) Σ_t Σ_b log ŷ_t[b, x_{t+1}]
//
// Batches are time-major: ids (T × B) hold B parallel streams of T steps (lm/text/batcher.hpp); the state of the last
// step carries over to the next window (truncated BPTT).
//
// Configured by ModelConfig (lm/neural/model_config.hpp): vocab, emsize, nhid, nlayers; dropout on the embeddings,
// between layers and before the decoder (Zaremba et al. 2014); tied: decoder weight = embedding table (Press & Wolf
// 2017; needs emsize == nhid); the cells' form, gru_reset_after and forget_bias; every parameter from
// U(−init_range, init_range), as Zaremba et al.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lm/neural/model_config.hpp"
#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

class RNNLM : public nn::Module {
 public:
  // config: a recurrent model (rnn, lstm or gru); throws UsageError otherwise or when config.validate() does.
  RNNLM(const ModelConfig& config, Rng& rng);

  struct Output {
    autograd::Var loss;                            // mean cross-entropy over the T·B targets (null without)
    autograd::Var logits;                          // (T·B) × vocab
    std::span<const nn::CellState> final_states;   // per layer: carry into the next window
    const nn::SequenceOutput* sequence = nullptr;  // the stack's outputs and every step's hidden states
  };
  // inputs and targets: T × B ids, row t = step t (targets may be empty: no loss). initial: one state per layer,
  // or empty for zeros. Dropout masks come from rng (training mode only). The result lives in this module until
  // the next call (nothing is allocated per call).
  const Output& forward(autograd::Tape& tape, std::span<const std::int32_t> inputs,
                        std::span<const std::int32_t> targets, index_t steps, index_t batch,
                        std::span<const nn::CellState> initial, Rng& rng);

  const ModelConfig& config() const { return config_; }
  nn::Recurrent& rnn() { return *rnn_; }
  nn::Embedding& embedding() { return *embedding_; }

 private:
  ModelConfig config_;
  nn::Embedding* embedding_;
  nn::Recurrent* rnn_;
  nn::Linear* decoder_ = nullptr;          // untied
  nn::Parameter* decoder_bias_ = nullptr;  // tied: the bias alone
  nn::Dropout dropout_;
  Output out_;
};

}  // namespace tapegrad::lm
