// WindowLM: the fixed-window neural language model of Bengio et al. (2003). The n−1 previous words predict the next:
//
//   e = [E[w_{t−n+1}]; …; E[w_{t−1}]]      (B × (n−1)·emsize)     concatenated embeddings
//   h = tanh(e·W + b₁)                      (B × nhid)
//   ŷ = softmax(h·U + b₂ [+ e·D])           (B × vocab)            D: the paper's optional direct connections
//   J = −(1/B) Σ_b log ŷ[b, w_t]
//
// Configured by ModelConfig (lm/neural/model_config.hpp): vocab, context (n − 1 words of history), emsize, nhid,
// direct, dropout (on the hidden layer) and init_range (0: PyTorch's defaults — embeddings U(±0.1), linear layers
// U(±1/√in)).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "lm/neural/model_config.hpp"
#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"

namespace tapegrad::lm {

class WindowLM : public nn::Module {
 public:
  // config: a window model; throws UsageError otherwise or when config.validate() does.
  WindowLM(const ModelConfig& config, Rng& rng);

  struct Output {
    autograd::Var loss;    // null without targets
    autograd::Var logits;  // B × vocab
  };
  // contexts: B × context ids (row b = the history of example b, oldest first); targets: B ids or empty.
  Output forward(autograd::Tape& tape, std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets,
                 index_t batch, Rng& rng);

  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  nn::Embedding* embedding_;
  nn::Linear* hidden_;
  nn::Linear* output_;
  nn::Linear* direct_ = nullptr;
  nn::Dropout dropout_;
};

}  // namespace tapegrad::lm
