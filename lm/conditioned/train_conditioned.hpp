// Training a class-conditioned language model on labelled sentences (MR by default): the vocabulary (training words
// of count ≥ min_count, <unk>, </s>) and the labels from the training part, then the sequence-task loop
// (lm/sequence/task_trainer.hpp: length-bucketed batches, Adam, clipping, the best epoch kept) with the validation
// perplexity as the model-selection score (score = −perplexity: higher is better). The best model is saved as
// training goes when spec.save names a file.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "lm/classify/labelled_corpus.hpp"
#include "lm/conditioned/conditioned_lm.hpp"
#include "lm/sequence/task_trainer.hpp"

namespace tapegrad::lm {

struct ConditionedTrainSpec {
  ConditionedConfig model;
  TaskTrainOptions train;       // its describe_score is set here (valid perplexity)
  std::uint64_t min_count = 2;  // training words seen fewer times are <unk>
  std::string save;             // the best model's checkpoint ("" = not saved)
  nn::Metadata extra;           // more metadata for the checkpoint (e.g. where the data came from)
};

struct ConditionedTrainResult {
  std::unique_ptr<ConditionedLM> model;  // holding the best epoch's parameters
  TaskTrainResult training;
  Perplexity valid;                      // of the best epoch (tokens 0 when there is no validation part)
};

// UsageError for an empty training part or impossible settings.
ConditionedTrainResult train_conditioned(const LabelledCorpus& train, const LabelledCorpus& valid,
                                         const ConditionedTrainSpec& spec, std::ostream& log);

}  // namespace tapegrad::lm
