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
// metadata (lm/training/training_checkpoint.hpp): the model configuration, the vocabulary, the training options, the
// epoch, the best validation loss and the learning curve — everything `resume` needs to continue exactly as if
// uninterrupted (bit for bit with the same thread count), and everything `tapegrad eval|generate|predict|score` needs
// to rebuild the model (lm/neural/saved_model.hpp).
// Files, for save = "out/lm.safetensors": out/lm.safetensors (the best model), out/lm.last.safetensors (the latest
// epoch, for resuming), out/lm.curve.csv and out/lm.curve.svg.
//
// Time limit (TrainOptions::max_seconds > 0): the budget of the whole run, counted from options.clock_start (the
// start of the command: reading the data is part of it) or from run(). Before every batch, and before every
// validation inside an epoch, the trainer estimates what remains to be done once it stops — one more batch (as long
// as the last one took), the closing validation, and the final evaluation of options.final_eval_tokens tokens (at
// most 10% of the budget: the final evaluation is itself cut to the time left, lm/training/final_evaluation.hpp) —
// at the time per token of the last validation (before the first one, of a probe: one window of the validation
// split evaluated when run() starts), and stops when that would overrun the budget. When even
// the closing validation no longer fits (a first batch slower than the budget), the epoch ends unvalidated: a line
// says so, and nothing is saved.
//
// Log. One line per validation and per epoch (text, or with options.json one JSON object per line:
// {"type":"epoch",…}, {"type":"validation",…}, {"type":"resumed",…}, {"type":"early_stop",…},
// {"type":"time_limit",…} — docs/lm.md lists the fields).
//
// Several processes (data-parallel; docs/distributed.md). Given a Communicator of N ranks, each rank trains on its
// share of every global batch — recurrent models: streams [⌊B·r/N⌋, ⌊B·(r+1)/N⌋) of the B streams, with their own
// carried state; the window model: that share of each batch's examples — and the gradients are summed across the
// ranks during backward (lm/training/stepper.hpp), so N ranks train the model one process trains with the same
// global batch, up to float summation order. Rank 0's parameters are broadcast at the start and after a resume.
// Rank 0 alone logs, draws the progress bar and writes files; validation runs on rank 0 and its result is broadcast
// (the curve, the best model, early stopping and the schedule are then exactly those of one process for the same
// parameters); the time limit is rank 0's clock, broadcast. With dropout, each rank draws its own masks from a
// generator seeded per step from the shared one and the rank.
//
// Divergence. Every training loss, every validation loss and, at every validation, every parameter must be finite;
// the first that is not stops training with DivergenceError, naming the epoch and step of the last update before it
// (the one that made the model diverge). Checks run before any file is written, and a checkpoint is written only
// when the parameters and the losses it records are finite — so after a divergence the files on disk are those of
// the last good epoch.
#pragma once

#include <chrono>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"
#include "lm/training/divergence_error.hpp"
#include "lm/training/learning_curve.hpp"
#include "lm/training/train_options.hpp"
#include "lm/training/training_checkpoint.hpp"
#include "nn/distributed/communicator.hpp"
#include "nn/distributed/gradient_reducer.hpp"
#include "nn/optimizer.hpp"
#include "nn/schedule.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

class Stepper;

struct TrainResult {
  std::vector<CurvePoint> curve;
  double best_valid_loss = 0;
  int epochs_completed = 0;
  bool stopped_early = false;  // patience ran out
  bool out_of_time = false;    // max_seconds reached
  // Seconds per token of the last validation (when none ran, of training, an over-estimate; 0 when no step ran
  // either): what the final evaluation can expect.
  double eval_seconds_per_token = 0;
  // The files this run wrote, each once, in the order first written: the best checkpoint (when validation
  // improved), the .last checkpoint (after a completed epoch), the learning-curve CSV and SVG. Empty without a
  // save path, or when no epoch ran.
  std::vector<std::string> files_written;
  // Data-parallel: what this run's gradient sums sent, per rank, over all its steps (zero for a single process).
  nn::ReducerStats communication;
  index_t steps = 0;  // training steps this run made
};

class Trainer {
 public:
  // The model must have been built for data.vocab. Checks the options (TrainOptions::validate) and builds the
  // optimizer and schedule they name.
  // comm: the ranks training together (data-parallel; a single process by default); reducer: how they sum.
  Trainer(LanguageModel& model, const LmDataset& data, const TrainOptions& options, std::ostream& log,
          nn::Communicator& comm = nn::solo_communicator(), nn::ReducerOptions reducer = {});
  ~Trainer();

  // Continues from a `.last` checkpoint read by TrainingCheckpoint::read (which checked it against the data):
  // restores parameters, optimizer, schedule, Rng, epoch, best loss and learning curve. Throws UsageError when the
  // checkpoint holds another model than this trainer's.
  void resume(const TrainingCheckpoint& checkpoint);
  void resume(const std::string& path) { resume(TrainingCheckpoint::read(path, data_)); }
  // Trains until the epochs are done, the time limit is reached or patience runs out. Throws DivergenceError when
  // a training loss, a validation loss or a parameter stops being finite, naming the epoch and step of the last
  // update; nothing is written then, so the checkpoints on disk are the last good ones.
  TrainResult run();

  static std::string last_path(const std::string& save);                          // "<stem>.last.safetensors"
  static std::string curve_path(const std::string& save, const char* extension);  // "<stem>.curve.csv"

 private:
  class Batches;  // the training split in batches: stream windows (recurrent) or shuffled examples (window)
  struct Epoch;   // one epoch in progress: how far it got, and the sums behind the next curve point

  // The steps of run(), in the order they happen (trainer.cpp lists them).
  bool keep_training(const TrainResult& result) const;  // the stop conditions: epochs, time limit, patience
  Epoch train_epoch(Batches& batches, Stepper& stepper);
  CurvePoint add_curve_point(Epoch& epoch, double at_epoch);  // validates; the training loss since the last point
  void check_finite(const CurvePoint& p) const;               // the validation loss and every parameter
  std::string last_update() const;                            // "after the update of epoch 2, step 7 of 10" 
  bool record_validation(double valid_loss);                  // best loss and epochs without improvement
  void log_curve_point(const CurvePoint& p);
  void log_epoch(const Epoch& epoch, const CurvePoint& p, bool improved);
  void save_best(TrainResult& result);
  void step_schedule(double valid_loss);
  void save_last(TrainResult& result);
  void write_curve(TrainResult& result) const;
  bool patience_ran_out() const;

  bool out_of_time(const Epoch& epoch) const;  // the time limit: see above
  bool time_is_up(const Epoch& epoch);         // out_of_time, rank 0's answer on every rank
  bool validation_fits(const Epoch& epoch) const;          // in the time left (always, without a limit)
  double eval_seconds_per_token(const Epoch& epoch) const;  // measured, or estimated from training (0: unknown)
  double elapsed() const;                      // seconds since run() started
  double budget_spent() const;                 // seconds since options_.clock_start (or run() started)
  index_t validation_tokens() const;           // tokens of one validation (max_valid_tokens or the whole split)
  void log_json(const std::string& object);    // one line, flushed
  double validate();
  bool root_decides(bool decision);    // rank 0's decision, on every rank
  void broadcast_parameters();         // rank 0's parameter values to every rank
  void measure_eval_speed();  // eval_seconds_per_token_ from one window of the validation split
  void save(const std::string& path, TrainResult& result);
  TrainingCheckpoint state() const;

  LanguageModel& model_;
  const LmDataset& data_;
  TrainOptions options_;
  nn::Communicator& comm_;
  nn::ReducerOptions reducer_options_;
  std::ostream null_log_{nullptr};  // what ranks other than 0 log to: nothing
  std::ostream& log_;
  Rng rng_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::unique_ptr<nn::LrSchedule> schedule_;
  std::vector<CurvePoint> curve_;
  int epoch_ = 0;  // completed epochs
  double best_ = std::numeric_limits<double>::infinity();
  int bad_epochs_ = 0;
  // while run() runs
  std::chrono::steady_clock::time_point run_start_;
  double seconds_before_ = 0;  // training time of the runs before a resume
  double eval_seconds_per_token_ = 0;  // measured by the last validation (0 before the first)
  double last_batch_seconds_ = 0;      // how long the last training step took
  index_t steps_ = 0;                  // training steps run() made
  bool terminal_ = false;      // stderr is a terminal (the progress bar redraws in place)
  // The last update this run made (epoch 0-based, step 1-based, of `of` steps); epoch −1 before the first.
  struct Update {
    int epoch = -1;
    index_t step = 0, of = 0;
  } last_update_;
};

}  // namespace tapegrad::lm
