// Training loop shared by the sequence tasks (tagging, classification): epochs over length-bucketed batches, Adam,
// gradient clipping, validation after every epoch, the best epoch's parameters kept (model selection on valid),
// (a tie goes to the later, longer-trained epoch), early stopping, a time budget, progress output, and a checkpoint of the best model written by the caller.
//
// The task supplies two functions: the loss of one batch (recorded on the tape given, model in training mode) and a
// validation score (higher is better: accuracy), computed in evaluation mode.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "autograd/tape.hpp"
#include "lm/sequence/bucket_batcher.hpp"
#include "nn/module.hpp"

namespace tapegrad::lm {

struct TaskTrainOptions {
  std::size_t epochs = 10;
  BucketOptions batching{};
  float lr = 1e-3f;             // Adam
  float lr_decay = 1.0f;        // the learning rate is multiplied by this after every epoch
  float weight_decay = 0.0f;
  float clip = 5.0f;            // global gradient norm; 0 = off
  std::size_t patience = 0;     // stop after this many epochs without a better validation score; 0 = never
  double max_minutes = 0.0;     // stop after the epoch that crosses this much training time (wall); 0 = no limit
  // The same in processor time of this process (all threads; validation excluded): on a machine shared with other
  // work, the budget the training would have used alone (with one thread, CPU time ≈ the wall time of an idle core).
  double max_cpu_minutes = 0.0;
  std::uint64_t seed = 1;
  bool progress = true;         // a progress bar per epoch (stderr)
  // The validation score as the epoch line shows it (e.g. "valid ppl 123.45" for a score of −123.45); empty: a
  // percentage, "valid 81.20%".
  std::function<std::string(double)> describe_score;
};

struct TaskEpoch {
  std::size_t epoch = 0;
  double train_loss = 0.0;      // mean over the epoch's batches
  double valid_score = 0.0;
  double seconds = 0.0;         // this epoch's training time (validation excluded)
  double cpu_seconds = 0.0;     // the processor time it took (all threads)
  double tokens_per_second = 0.0;
};

struct TaskTrainResult {
  std::vector<TaskEpoch> curve;
  std::size_t best_epoch = 0;   // 1-based; its parameters are in the model when train_task returns
  double best_score = 0.0;
  double train_seconds = 0.0;   // all epochs, validation excluded
  double train_cpu_seconds = 0.0;
};

using BatchLoss = std::function<autograd::Var(autograd::Tape&, std::span<const std::size_t> items, Rng&)>;

// lengths: the training items' lengths (tokens), for bucketing. on_best: called after an epoch that improved the
// validation score (e.g. to save a checkpoint). log: one line per epoch.
// Throws DivergenceError (lm/training/divergence_error.hpp) when a batch's loss, the validation score or, after an
// epoch, a parameter is NaN or ±∞, naming the epoch and batch of the last update; on_best is never called then, so
// the checkpoint written last holds finite values.
TaskTrainResult train_task(nn::Module& model, std::span<const std::size_t> lengths, const BatchLoss& loss_of_batch,
                           const std::function<double()>& validate, const TaskTrainOptions& options, std::ostream& log,
                           const std::function<void(const TaskEpoch&)>& on_best = {});

// Runs f over `items` in length-bucketed batches (no shuffling), for evaluation and prediction.
void for_each_bucket(std::span<const std::size_t> lengths, std::size_t batch_size,
                     const std::function<void(std::span<const std::size_t>)>& f);

}  // namespace tapegrad::lm
