// Trainer: the training loop of the neural language models.
//
//   for each epoch:
//     for each batch (recurrent: windows of T steps over B parallel streams, the hidden state carried from window to
//     window and detached — truncated BPTT; window models: shuffled examples):
//       forward, mean cross-entropy (teacher forcing), backward through every step, clip the global gradient norm,
//       optimizer step — lm/training/stepper.hpp
//     validation perplexity; the learning curve (CSV + SVG) updated; the best model saved when validation improves;
//     the learning-rate schedule stepped; early stopping after `patience` epochs without improvement
//
// Checkpoints (safetensors, nn/checkpoint.hpp) hold the parameters, the optimizer and schedule state, the Rng, and
// metadata: the model configuration, the vocabulary, the training options, the epoch, the best validation loss and
// the learning curve — everything `resume` needs to continue exactly as if uninterrupted (bit for bit with the same
// thread count), and everything `tapegrad eval|generate|predict|score` needs to rebuild the model.
// Files, for save = "out/lm.safetensors": out/lm.safetensors (the best model), out/lm.last.safetensors (the latest
// epoch, for resuming), out/lm.curve.csv and out/lm.curve.svg.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"
#include "nn/checkpoint.hpp"
#include "nn/optimizer.hpp"
#include "nn/schedule.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

// Training cannot go on: the loss became NaN or infinite (the message names the epoch and step; the checkpoints
// written before stay as they were).
class DivergenceError : public Error {
 public:
  using Error::Error;
};

struct TrainOptions {
  // optimisation
  std::string optimizer = "sgd";  // sgd | adam | adamw
  float lr = 20.0f;
  float momentum = 0.0f;  // sgd
  float weight_decay = 0.0f;
  float clip = 0.25f;                // maximum global gradient norm; 0 = no clipping
  std::string schedule = "plateau";  // plateau: lr × decay when validation does not improve (PyTorch's example);
                                     // zaremba: constant for decay_start epochs, then × decay per epoch; none
  float decay = 0.25f;
  int decay_start = 4;
  int patience = 0;  // early stopping after this many epochs without improvement; 0 = never
  // data
  index_t batch = 20;
  index_t bptt = 35;  // recurrent models
  index_t eval_batch = 10;
  int epochs = 40;
  double max_seconds = 0;        // stop training after this long, then evaluate (0 = no limit)
  index_t eval_interval = 0;     // also validate every this many batches (0 = at epoch ends only)
  index_t max_valid_tokens = 0;  // validate on at most this many tokens (0 = all)
  // bookkeeping
  std::uint64_t seed = 1111;
  std::string save;      // the best checkpoint's path ("" = no files)
  bool progress = true;  // progress bar on stderr

  std::string to_json() const;
  static TrainOptions from_json(const std::string& text, const std::string& source);
};

struct CurvePoint {
  double epoch = 0;  // fractional when validated within an epoch
  double lr = 0;
  double train_loss = 0;  // mean over the batches since the previous point
  double valid_loss = 0;
  double seconds = 0;  // training time so far
  double tokens_per_second = 0;
};

struct TrainResult {
  std::vector<CurvePoint> curve;
  double best_valid_loss = 0;
  int epochs_completed = 0;
  bool stopped_early = false;  // patience ran out
  bool out_of_time = false;    // max_seconds reached
};

class Trainer {
 public:
  // The model must have been built for data.vocab. Builds the optimizer and schedule from the options.
  Trainer(LanguageModel& model, const LmDataset& data, const TrainOptions& options, std::ostream& log);
  ~Trainer();

  // Restores a `.last` checkpoint written by a trainer with the same model: parameters, optimizer, schedule, Rng,
  // epoch, best loss, learning curve. Throws CheckpointError/FormatError for a file that does not fit.
  void resume(const std::string& path);
  TrainResult run();

  // Checkpoint metadata keys of the training state (the model's are SavedModel's: lm/neural/saved_model.hpp).
  static constexpr const char* kOptionsKey = "train_options";
  static constexpr const char* kEpochKey = "epoch";
  static constexpr const char* kBestKey = "best_valid_loss";
  static constexpr const char* kBadKey = "bad_epochs";
  static constexpr const char* kCurveKey = "curve_csv";

  static std::string last_path(const std::string& save);                          // "<stem>.last.safetensors"
  static std::string curve_path(const std::string& save, const char* extension);  // "<stem>.curve.csv"
  // The curve as CSV (one row per point); exact: every number printed so that it reads back to the same double.
  static std::string curve_csv(const std::vector<CurvePoint>& curve, bool exact = false);
  static std::vector<CurvePoint> parse_curve_csv(const std::string& text, const std::string& source);

 private:
  double validate();
  void save(const std::string& path);
  void write_curve() const;

  LanguageModel& model_;
  const LmDataset& data_;
  TrainOptions options_;
  std::ostream& log_;
  Rng rng_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::unique_ptr<nn::LrSchedule> schedule_;
  std::vector<CurvePoint> curve_;
  int epoch_ = 0;  // completed epochs
  double best_ = std::numeric_limits<double>::infinity();
  int bad_epochs_ = 0;
  double train_seconds_ = 0;
};

}  // namespace tapegrad::lm
