// TrainOptions: how a neural language model is trained — optimizer, learning rate and its schedule, clipping,
// batches, epochs and stop conditions, the seed and where the checkpoints go. The one place these options are
// checked (validate), stored in a checkpoint (JSON) and turned into the optimizer and schedule they name; the CLI
// only fills them in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nn/module.hpp"
#include "nn/optimizer.hpp"
#include "nn/schedule.hpp"

namespace tapegrad::lm {

enum class OptimizerKind { SGD, Adam, AdamW };
OptimizerKind parse_optimizer(const std::string& name);  // sgd | adam | adamw; throws UsageError otherwise
enum class ScheduleKind { Plateau, Zaremba, None };
ScheduleKind parse_schedule(const std::string& name);  // plateau | zaremba | none; throws UsageError otherwise

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
  double max_seconds = 0;        // the wall-time budget of the whole run, final evaluation included (0 = no limit;
                                 // see Trainer::run and docs/lm.md)
  index_t eval_interval = 0;     // also validate every this many batches (0 = at epoch ends only)
  index_t max_valid_tokens = 0;  // validate on at most this many tokens (0 = all)
  // bookkeeping
  std::uint64_t seed = 1111;
  std::string save;      // the best checkpoint's path ("" = no files)
  bool progress = true;  // progress bar on stderr
  bool json = false;     // the log: one JSON object per line instead of the text lines
  // What max_seconds counts from: the start of the command (reading the data included); unset = when run() starts.
  std::optional<std::chrono::steady_clock::time_point> clock_start;
  // Tokens evaluated after run() (the final evaluation): run() keeps time for them (see Trainer::run).
  index_t final_eval_tokens = 0;

  // Throws UsageError for the first option out of range: an unknown optimizer or schedule, a batch, bptt or
  // evaluation batch that is not positive, negative epochs; a clipping norm, learning rate, momentum, weight decay
  // or time limit that is negative, NaN or infinite (the schedule checks its decay when it is built).
  void validate() const;
  // Everything but save, progress, json, clock_start and final_eval_tokens (which belong to one run, not to the
  // training). Floats are written as the shortest decimal that reads back to the same float ("lr":0.002, not the
  // double 0.0020000000949949026).
  std::string to_json() const;
  // Throws FormatError naming `source` for malformed JSON, a missing key or options validate() refuses.
  static TrainOptions from_json(const std::string& text, const std::string& source);
};

// What the options build: the optimizer over the module's parameters, and its learning-rate schedule (null for
// "none"). The options must be valid (validate()).
std::unique_ptr<nn::Optimizer> make_optimizer(const TrainOptions& options, nn::Module& module);
std::unique_ptr<nn::LrSchedule> make_schedule(const TrainOptions& options, nn::Optimizer& optimizer);

}  // namespace tapegrad::lm
