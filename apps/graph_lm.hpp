// The language-model half of `tapegrad graph`: a window, RNN, LSTM or GRU language model — tiny and fresh, or
// trained (a checkpoint) — recorded on a short real text, so the diagram shows the unrolled graph a training step
// actually builds: embedding lookups, one cell per time step sharing its weights, the decoder and the loss.
#pragma once

#include <memory>
#include <string>

#include "autograd/autograd.hpp"
#include "lm/neural/saved_model.hpp"
#include "nn/cell.hpp"

namespace tapegrad::cli {

struct LmGraphOptions {
  std::string model;          // window | rnn | lstm | gru (ignored with a checkpoint)
  std::string checkpoint;     // optional: a model saved by `tapegrad train`
  std::string text;           // the input; words split on white space (bytes for a character-level checkpoint)
  std::string loss = "last";  // last: J on the last prediction only; all: the training loss over every step
  index_t steps = 3;          // recurrent: tokens read; the target is the next one
  index_t context = 3;        // window: words of history
  index_t emsize = 4;
  index_t hidden = 3;
  index_t layers = 1;
  nn::CellForm form = nn::CellForm::Composed;
  unsigned seed = 1;
};

struct LmGraph {
  lm::SavedModel model;  // the model (config, vocabulary) whose parameters the tape reads
  autograd::Var loss;
  std::string description;  // e.g. "lstm LM 1×3, emb 4, vocab 14 on “First Citizen :” → “Before”"
};

// Records the model's forward pass and loss on `tape` (evaluation mode: no dropout). Throws UsageError when the
// text has too few tokens for the steps or context asked for.
LmGraph record_lm_graph(autograd::Tape& tape, const LmGraphOptions& options);

}  // namespace tapegrad::cli
