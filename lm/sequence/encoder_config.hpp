// EncoderConfig: the shape of a sentence encoder (lm/sequence/sentence_encoder.hpp) — word embeddings, optionally
// joined by a character-level word encoder, read by a (bidirectional, stacked) RNN / LSTM / GRU — as a JSON object
// for checkpoints, so a saved tagger or classifier rebuilds from its file alone.
#pragma once

#include <string>

#include "nn/cell.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

struct EncoderConfig {
  nn::CellType cell = nn::CellType::LSTM;
  nn::CellForm form = nn::CellForm::Fused;
  index_t layers = 1;
  index_t hidden = 128;        // per direction
  bool bidirectional = true;
  index_t word_dim = 100;      // word embedding size
  bool lowercase_words = false;  // look words up lower-cased (the characters keep the case)
  index_t char_dim = 0;        // character embedding size; 0 = no character encoder
  index_t char_hidden = 50;    // per direction of the character BiLSTM
  float dropout = 0.5f;        // on the token vectors fed to the RNN and on the RNN's outputs (training only)
  float word_dropout = 0.25f;  // α: a training token of count c becomes <unk> with probability α / (α + c)
  float forget_bias = 1.0f;    // LSTM: initial forget-gate bias

  index_t token_size() const { return word_dim + (char_dim > 0 ? 2 * char_hidden : 0); }
  index_t output_size() const { return hidden * (bidirectional ? 2 : 1); }
  // The options of the encoder's sentence-level Recurrent stack (built by SentenceEncoder, counted by its shapes).
  nn::RecurrentOptions recurrent_options() const;
  // Throws UsageError naming the first impossible value.
  void validate() const;
  std::string to_json() const;
  static EncoderConfig from_json(const std::string& text, const std::string& source);
  std::string describe() const;  // "BiLSTM 1×128, words 100 + chars 2×50"
};

}  // namespace tapegrad::lm
