// WindowLM: the fixed-window neural language model of Bengio et al. (2003). The n−1 previous words predict the next:
//
//   e = [E[w_{t−n+1}]; …; E[w_{t−1}]]      (B × (n−1)·emsize)     concatenated embeddings
//   h = tanh(e·W + b₁)                      (B × nhid)
//   ŷ = softmax(h·U + b₂ [+ e·D])           (B × vocab)            D: the paper's optional direct connections
//   J = −(1/B) Σ_b log ŷ[b, w_t]
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"

namespace tapegrad::lm {

struct WindowLMConfig {
  index_t vocab = 0;
  index_t context = 5;  // n − 1 words of history
  index_t emsize = 60;
  index_t nhid = 100;
  bool direct = false;      // direct connections from the embeddings to the output
  float dropout = 0.0f;     // on the hidden layer
  float init_range = 0.0f;  // 0: PyTorch defaults (embeddings U(±0.1), linear layers U(±1/√in))

  std::string describe() const;
};

class WindowLM : public nn::Module {
 public:
  WindowLM(const WindowLMConfig& config, Rng& rng);

  struct Output {
    autograd::Var loss;    // null without targets
    autograd::Var logits;  // B × vocab
  };
  // contexts: B × context ids (row b = the history of example b, oldest first); targets: B ids or empty.
  Output forward(autograd::Tape& tape, std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets,
                 index_t batch, Rng& rng);

  const WindowLMConfig& config() const { return config_; }

 private:
  WindowLMConfig config_;
  nn::Embedding* embedding_;
  nn::Linear* hidden_;
  nn::Linear* output_;
  nn::Linear* direct_ = nullptr;
  nn::Dropout dropout_;
};

}  // namespace tapegrad::lm
