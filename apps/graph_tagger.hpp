// The tagger half of `tapegrad graph`: a tiny, freshly initialised neural tagger (lm::NeuralTagger: word embeddings,
// optionally a character BiLSTM per word, one bidirectional RNN/LSTM/GRU layer, a linear layer to tag scores) records
// its training loss on one or a few sentences with made-up tags, so the diagram shows the graph that a training step
// of `tapegrad tag train --model bilstm` builds: two recurrences over the same tokens, one reading left to right and
// one right to left, joined per token and scored.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "lm/tagging/neural_tagger.hpp"
#include "nn/cell.hpp"

namespace tapegrad::cli {

struct TaggerGraphOptions {
  std::vector<std::string> sentences;  // each one sentence, words split on white space; several: a padded batch
  nn::CellType cell = nn::CellType::LSTM;
  nn::CellForm form = nn::CellForm::Composed;  // of the sentence-level cells (the character encoder's are fused)
  bool chars = false;                          // with the character encoder
  index_t word_dim = 4;
  index_t hidden = 3;       // per direction
  index_t char_dim = 2;     // with chars
  index_t char_hidden = 2;  // with chars, per direction
  unsigned seed = 1;
};

struct TaggerGraph {
  std::unique_ptr<lm::NeuralTagger> tagger;  // the model whose parameters the tape reads
  autograd::Var loss;
  std::string description;  // e.g. "BiLSTM tagger (hidden 2×3, words 4) on “the old man”, made-up tags"
  std::vector<std::string> step_captions;  // per time step t: the word(s) read at t ("the", or "the | a" for a batch)
};

// The made-up tag set, and the tag of token t of every sentence: kTags[t mod 3].
inline constexpr const char* kMadeUpTags[] = {"A", "B", "C"};

// Records the tagger's loss on `tape` (evaluation mode: no dropout, no word dropout). Throws UsageError when no
// sentence is given or a sentence has no words.
TaggerGraph record_tagger_graph(autograd::Tape& tape, const TaggerGraphOptions& options);

}  // namespace tapegrad::cli
