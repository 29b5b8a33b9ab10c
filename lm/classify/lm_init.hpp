// Initialising a classifier's encoder from a tapegrad language model (`tapegrad train`, a recurrent LM checkpoint):
// language-model pre-training for many-to-one tasks. What carries over:
//   word embeddings   row by row for every word the two vocabularies share (the classifier's words as it looks them
//                     up; the LM's <unk> row for none); other rows keep their random initialisation
//   recurrent cells   layer l of the LM → the *forward* cell of the encoder's layer l (W_ih, W_hh, b; GRU b_hn);
//                     the reverse cells and the output layer keep their random initialisation
// Requirements (UsageError naming the mismatch otherwise): the same cell type, emsize = word_dim, nhid = hidden,
// the LM has at least as many layers; with a character encoder, only W_ih's word rows are copied.
#pragma once

#include <cstddef>
#include <string>

#include "lm/sequence/sentence_encoder.hpp"

namespace tapegrad::lm {

struct LmInitReport {
  std::string lm;               // the LM's description
  std::size_t words_copied = 0;  // embedding rows taken from the LM
  std::size_t words_total = 0;   // the classifier's words (without <pad>, <unk>)
  std::size_t layers_copied = 0;
};

LmInitReport init_encoder_from_lm(SentenceEncoder& encoder, const SymbolTable& words, const std::string& lm_path);

}  // namespace tapegrad::lm
