// ConditionedConfig: the shape of a class-conditioned language model (conditioned_lm.hpp) — the recurrent cell and
// its sizes, the word and label embedding sizes, dropout, and whether the label also sets the initial state — as a
// JSON object for checkpoints, so a saved model rebuilds from its file alone.
#pragma once

#include <string>

#include "nn/cell.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

struct ConditionedConfig {
  nn::CellType cell = nn::CellType::LSTM;
  nn::CellForm form = nn::CellForm::Fused;
  index_t layers = 1;
  index_t hidden = 256;
  index_t word_dim = 128;     // word embedding size
  index_t label_dim = 32;     // label embedding size, concatenated to the word embedding at every step
  bool label_state = true;    // the label also sets the initial hidden state: h_0 = tanh(S[label]) per layer
  float dropout = 0.3f;       // on the step inputs, between layers and on the outputs (training only)
  float forget_bias = 1.0f;   // LSTM: initial forget-gate bias

  index_t input_size() const { return word_dim + label_dim; }
  // The options of the model's Recurrent stack (built by ConditionedLM, counted by its parameter_shapes).
  nn::RecurrentOptions recurrent_options() const;
  // Throws UsageError naming the first impossible value.
  void validate() const;
  std::string to_json() const;
  // FormatError naming `source` for malformed JSON or impossible values.
  static ConditionedConfig from_json(const std::string& text, const std::string& source);
  std::string describe() const;  // "lstm 1×256, words 128 ⊕ label 32, label sets h_0"
};

}  // namespace tapegrad::lm
