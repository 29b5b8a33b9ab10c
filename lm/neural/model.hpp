// LanguageModel: one handle on any of tapegrad's neural language models — the fixed-window LM (lm/neural/window_lm.hpp)
// or the recurrent LM with RNN, LSTM or GRU cells (lm/neural/rnn_lm.hpp) — built from one ModelConfig
// (lm/neural/model_config.hpp), which the model it holds keeps and a checkpoint stores as JSON. Once built, all its
// parameters live in one block and all their gradients in another (nn::Module::pack_parameters).
#pragma once

#include <memory>

#include "lm/neural/model_config.hpp"
#include "lm/neural/rnn_lm.hpp"
#include "lm/neural/window_lm.hpp"

namespace tapegrad::lm {

class LanguageModel {
 public:
  // Builds the model config.kind names; throws UsageError (or SizeError: too big for the machine's memory) for a
  // configuration ModelConfig::validate refuses — before any parameter is allocated.
  LanguageModel(const ModelConfig& config, Rng& rng);

  const ModelConfig& config() const { return rnn_ ? rnn_->config() : window_->config(); }
  nn::Module& module() { return rnn_ ? static_cast<nn::Module&>(*rnn_) : *window_; }
  RNNLM& rnn() { return *rnn_; }           // recurrent models only
  WindowLM& window() { return *window_; }  // window models only

 private:
  std::unique_ptr<RNNLM> rnn_;
  std::unique_ptr<WindowLM> window_;
};

}  // namespace tapegrad::lm
