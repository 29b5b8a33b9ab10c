// LanguageModel: one handle on any of tapegrad's neural language models — the fixed-window LM (lm/neural/window_lm.hpp)
// or the recurrent LM with RNN, LSTM or GRU cells (lm/neural/rnn_lm.hpp) — with its configuration, which a checkpoint
// stores as JSON so that evaluation and generation can rebuild the model from the file alone.
#pragma once

#include <memory>
#include <string>

#include "lm/neural/rnn_lm.hpp"
#include "lm/neural/window_lm.hpp"

namespace tapegrad::lm {

enum class ModelKind { Window, RNN, LSTM, GRU };
ModelKind parse_model_kind(const std::string& name);  // window | rnn | lstm | gru; throws UsageError otherwise
const char* model_kind_name(ModelKind kind);

struct ModelConfig {
  ModelKind kind = ModelKind::LSTM;
  index_t vocab = 0;
  index_t emsize = 200;
  index_t nhid = 200;
  index_t nlayers = 2;  // recurrent
  float dropout = 0.0f;
  bool tied = false;    // recurrent
  index_t context = 5;  // window: n − 1
  bool direct = false;  // window: direct connections
  nn::CellForm form = nn::CellForm::Fused;
  bool gru_reset_after = false;
  float init_range = 0.1f;  // recurrent: every parameter U(±a); window: 0 = PyTorch's defaults

  bool recurrent() const { return kind != ModelKind::Window; }
  RNNLMConfig rnn_config() const;
  WindowLMConfig window_config() const;
  std::string describe() const;
  std::string to_json() const;
  // Throws FormatError naming `source` for malformed JSON, missing keys or out-of-range values.
  static ModelConfig from_json(const std::string& text, const std::string& source);
};

class LanguageModel {
 public:
  LanguageModel(const ModelConfig& config, Rng& rng);

  const ModelConfig& config() const { return config_; }
  nn::Module& module() { return config_.recurrent() ? static_cast<nn::Module&>(*rnn_) : *window_; }
  RNNLM& rnn() { return *rnn_; }           // recurrent models only
  WindowLM& window() { return *window_; }  // window models only

 private:
  ModelConfig config_;
  std::unique_ptr<RNNLM> rnn_;
  std::unique_ptr<WindowLM> window_;
};

}  // namespace tapegrad::lm
