// The character-level word encoder (Ling et al. 2015; Lample et al. 2016): each word's characters are embedded and
// read by a bidirectional LSTM; the word's vector is [forward state after the last character ⊕ backward state after
// the first]. Words of a batch have different lengths, so they run as one padded batch (lm/sequence/padded_batch.hpp)
// — on the tape, a recurrence nested inside the sentence-level one, of a different length for every word.
//
//   chars c_1 … c_n  →  e_k = E[c_k] (char_dim)  →  BiLSTM  →  [h→_n ⊕ h←_1]  (2 · hidden)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lm/sequence/padded_batch.hpp"
#include "nn/embedding.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

class CharWordEncoder : public nn::Module {
 public:
  CharWordEncoder(index_t chars, index_t char_dim, index_t hidden, nn::CellType cell, Rng& rng);
  // The parameters such an encoder has, named under `prefix`, without building it (nn/parameter_shapes.hpp).
  static void add_parameter_shapes(nn::ParameterShapes& shapes, const std::string& prefix, index_t chars,
                                   index_t char_dim, index_t hidden, nn::CellType cell);

  // words: each word's character ids (≥ 1 each) → (words.size() × 2·hidden). The vectors of all words in one call.
  autograd::Var forward(autograd::Tape& tape, std::span<const std::vector<std::int32_t>> words, Rng& rng);
  index_t output_size() const { return rnn_->output_size(); }

 private:
  nn::Embedding* embedding_;
  nn::Recurrent* rnn_;
  PaddedBatch batch_;                 // scratch
  std::vector<std::size_t> items_;    // scratch
};

}  // namespace tapegrad::lm
