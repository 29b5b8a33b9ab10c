// FinalEvaluation: the perplexity of the trained model on the validation and test splits at the end of
// `tapegrad train`, within the time --max-time has left.
//
//   no time limit, or the splits fit:  both splits, whole
//   they do not fit:                   the first tokens of each split, in proportion to their sizes:
//                                      fit = 0.9 · seconds_left / seconds_per_token tokens in all
//   not even one window per stream     nothing (skipped): the caller says how to evaluate afterwards
//   (eval batch × bptt tokens) fits:
// seconds_per_token comes from the trainer's last validation (TrainResult::eval_seconds_per_token); when it is not
// known (no training step ran), a probe — the first eval batch × bptt tokens of the validation split — measures it,
// and counts against the time left.
#pragma once

#include "lm/neural/evaluate.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"

namespace tapegrad::lm {

struct SplitEvaluation {
  Perplexity result;       // on the first `used` tokens
  index_t used = 0;        // tokens of the split evaluated (0: not evaluated)
  index_t total = 0;       // tokens of the split
  bool whole() const { return used == total; }
};

struct FinalEvaluation {
  SplitEvaluation valid, test;
  bool skipped = false;  // no time left for any evaluation
  bool capped() const { return !skipped && (!valid.whole() || !test.whole()); }
};

struct FinalEvaluationOptions {
  PerplexityOptions eval;         // batch and bptt
  bool limited = false;           // by --max-time:
  double seconds_left = 0;        // the time left of it (≤ 0: none)
  double seconds_per_token = 0;   // 0: unknown (measured by a probe)
};

FinalEvaluation evaluate_final(LanguageModel& model, const LmDataset& data, const FinalEvaluationOptions& options);

}  // namespace tapegrad::lm
