// Trainer: the epoch loop, validation, checkpoints, learning curve, schedule and early stopping.
#include "lm/training/trainer.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "lm/neural/evaluate.hpp"
#include "lm/report/progress.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/checkpoint_error.hpp"
#include "nn/finite_values.hpp"

namespace tapegrad::lm {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// ---- files ---------------------------------------------------------------------------------------------------

namespace {
fs::path stem_of(const std::string& save) {
  fs::path p(save);
  if (p.extension() == ".safetensors") p.replace_extension();
  return p;
}
}  // namespace

std::string Trainer::last_path(const std::string& save) { return stem_of(save).string() + ".last.safetensors"; }

std::string Trainer::curve_path(const std::string& save, const char* extension) {
  return stem_of(save).string() + ".curve." + extension;
}

namespace {
void note_written(TrainResult& result, const std::string& path) {
  for (const std::string& p : result.files_written)
    if (p == path) return;
  result.files_written.push_back(path);
}
}  // namespace

void Trainer::write_curve(TrainResult& result) const {
  if (options_.save.empty() || !comm_.is_root()) return;
  write_curve_files(curve_, model_.config().describe(), curve_path(options_.save, "csv"),
                    curve_path(options_.save, "svg"));
  note_written(result, curve_path(options_.save, "csv"));
  note_written(result, curve_path(options_.save, "svg"));
}

// ---- construction ----------------------------------------------------------------------------------------------

Trainer::Trainer(LanguageModel& model, const LmDataset& data, const TrainOptions& options, std::ostream& log,
                 nn::Communicator& comm, nn::ReducerOptions reducer)
    : model_(model),
      data_(data),
      options_(options),
      comm_(comm),
      reducer_options_(reducer),
      log_(comm.is_root() ? log : null_log_),
      rng_(options.seed) {
  if (static_cast<index_t>(data.vocab.size()) != model.config().vocab)
    throw UsageError("Trainer: the model has a vocabulary of " + std::to_string(model.config().vocab) +
                     " but the data " + std::to_string(data.vocab.size()));
  options.validate();
  // An infinite or NaN --init-range is refused by ModelConfig::validate before any weight is drawn; a model whose
  // weights are not finite all the same (set by hand, loaded by other means) is refused here.
  if (const auto bad = nn::first_non_finite_parameter(model.module()))
    throw UsageError("the model's initial parameter '" + bad->name + "' " + nn::describe(bad->at) +
                     " (check --init-range)");
  optimizer_ = make_optimizer(options, model.module());
  schedule_ = make_schedule(options, *optimizer_);
  if (!comm_.is_root()) options_.progress = false;
  broadcast_parameters();
}

// Every rank built the model from the same seed, or read the same checkpoint; rank 0's values are sent all the same,
// so that nothing (another build's initialiser, a checkpoint read from another host's disk) can make them differ.
void Trainer::broadcast_parameters() {
  if (comm_.size() == 1) return;
  nn::ParameterBlock* block = model_.module().parameter_block();
  if (block == nullptr)
    throw UsageError("data-parallel training needs the model's parameters packed into one block");
  comm_.broadcast(block->values(), 0);
}

bool Trainer::root_decides(bool decision) {
  if (comm_.size() == 1) return decision;
  std::byte b = decision ? std::byte{1} : std::byte{0};
  comm_.broadcast(std::span<std::byte>(&b, 1), 0);
  return b != std::byte{0};
}

Trainer::~Trainer() = default;

// ---- checkpoints ---------------------------------------------------------------------------------------------

TrainingCheckpoint Trainer::state() const {
  TrainingCheckpoint s;
  s.model = model_.config();
  s.options = options_;
  s.epoch = epoch_;
  s.best_valid_loss = best_;
  s.bad_epochs = bad_epochs_;
  s.curve = curve_;
  return s;
}

// Writes a checkpoint of the current state — only with finite values: check_finite has checked the parameters at
// this validation, and the losses the metadata records are checked here (a NaN loss must never become a "best").
void Trainer::save(const std::string& path, TrainResult& result) {
  if (!comm_.is_root()) return;  // one writer: rank 0
  const auto finite_losses = [&] {
    if (!std::isfinite(best_)) return false;
    for (const CurvePoint& p : curve_)
      if (!std::isfinite(p.train_loss) || !std::isfinite(p.valid_loss)) return false;
    return true;
  };
  if (!finite_losses())
    throw DivergenceError("training diverged: not writing " + path + ": a recorded loss is not finite " +
                          last_update());
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw nn::CheckpointError("cannot create the folder " + dir.string() + " for " + path + ": " + error.message());
  }
  nn::save_checkpoint(
      path, {.model = &model_.module(), .optimizer = optimizer_.get(), .schedule = schedule_.get(), .rng = &rng_},
      state().metadata(data_));
  note_written(result, path);
}

void Trainer::resume(const TrainingCheckpoint& checkpoint) {
  if (checkpoint.model.to_json() != model_.config().to_json())
    throw UsageError(checkpoint.path + ": the checkpoint holds a different model (" + checkpoint.model.describe() +
                     ") than the one being trained (" + model_.config().describe() + ")");
  nn::load_checkpoint(
      checkpoint.path,
      {.model = &model_.module(), .optimizer = optimizer_.get(), .schedule = schedule_.get(), .rng = &rng_});
  broadcast_parameters();
  epoch_ = checkpoint.epoch;
  best_ = checkpoint.best_valid_loss;
  bad_epochs_ = checkpoint.bad_epochs;
  curve_ = checkpoint.curve;
  if (options_.json)
    log_json(nlohmann::json{{"type", "resumed"},
                            {"from", checkpoint.path},
                            {"epoch", epoch_},
                            {"best_valid_loss", best_},
                            {"best_valid_ppl", std::exp(best_)},
                            {"lr", optimizer_->learning_rate()}}
                 .dump());
  else
    log_ << "resumed from " << checkpoint.path << " after epoch " << epoch_ << " (best valid ppl " << std::exp(best_)
         << ", lr " << optimizer_->learning_rate() << ")\n";
}

// ---- the pieces of the loop ------------------------------------------------------------------------------------

// The training split in batches. Recurrent models: B streams read in windows of bptt steps, in order, the carried
// state reset at the start of every epoch. The window model: examples of `context` words and their target, in a new
// seeded order every epoch.
class Trainer::Batches {
 public:
  Batches(const LanguageModel& model, const LmDataset& data, const TrainOptions& options, nn::Communicator& comm)
      : seed_(options.seed), rank_(comm.rank()), ranks_(comm.size()) {
    // Every rank refuses alike (a rank that went on alone would wait for the others forever). B ≥ N gives each rank
    // ⌊B·(r+1)/N⌋ − ⌊B·r/N⌋ ≥ 1 streams.
    if (model.config().recurrent() && options.batch < ranks_)
      throw UsageError("--batch-size " + std::to_string(options.batch) + " is smaller than the " +
                       std::to_string(ranks_) + " ranks: each rank trains on at least one of the batch's streams");
    try {
      if (model.config().recurrent()) {
        // This rank's streams: [⌊B·r/N⌋, ⌊B·(r+1)/N⌋), at least one each (checked above).
        const index_t first = options.batch * rank_ / ranks_, end = options.batch * (rank_ + 1) / ranks_;
        streams_ = std::make_unique<StreamBatcher>(data.train, options.batch, options.bptt, first, end - first);
        stream_share_ = static_cast<double>(end - first) / static_cast<double>(options.batch);
      } else
        windows_ = std::make_unique<WindowBatcher>(data.train, model.config().context, options.batch,
                                                   static_cast<std::int32_t>(Vocab::kEos));
    } catch (const UsageError& e) {  // name the data and the flag to change
      throw UsageError("the training split of " + data.source + " is too small for --batch-size " +
                       std::to_string(options.batch) + " (" + e.what() + ")");
    }
  }

  // Prepares epoch `epoch` (0-based); returns its number of batches.
  index_t start_epoch(int epoch, Stepper& stepper) {
    if (streams_) {
      stepper.reset_state();
      return streams_->windows();
    }
    windows_->start_epoch(true, seed_, epoch);
    return windows_->batches();
  }

  // One training step on batch i of the epoch (this rank's share of it).
  StepStats train(index_t i, Stepper& stepper, Rng& rng) {
    if (streams_) {
      streams_->get(i, window_);
      return stepper.train(window_, rng, stream_share_);
    }
    const index_t n = windows_->get(i, contexts_, targets_);
    // Examples [⌊n·r/N⌋, ⌊n·(r+1)/N⌋) of the batch's n.
    const index_t first = n * rank_ / ranks_, end = n * (rank_ + 1) / ranks_;
    if (end == first) return stepper.train_nothing();
    const auto context = static_cast<std::size_t>(windows_->context());
    const std::span<const std::int32_t> contexts(contexts_.data() + static_cast<std::size_t>(first) * context,
                                                 static_cast<std::size_t>(end - first) * context);
    const std::span<const std::int32_t> targets(targets_.data() + first, static_cast<std::size_t>(end - first));
    return stepper.train(contexts, targets, rng, static_cast<double>(end - first) / static_cast<double>(n));
  }

 private:
  std::uint64_t seed_;
  int rank_, ranks_;
  double stream_share_ = 1.0;  // this rank's streams over the batch's
  std::unique_ptr<StreamBatcher> streams_;
  std::unique_ptr<WindowBatcher> windows_;
  StreamWindow window_;                           // scratch: the current window (recurrent)
  std::vector<std::int32_t> contexts_, targets_;  // scratch: the current batch (window model)
};

struct Trainer::Epoch {
  int index = 0;  // 0-based
  index_t batches = 0;
  index_t done = 0;  // batches trained on
  bool out_of_time = false;
  index_t skipped = 0;     // steps without an update (non-finite gradient norm)
  double tokens_seen = 0;  // predictions trained on in the whole epoch
  // Since the last curve point: the next point's training loss and speed.
  double loss_sum = 0;  // Σ loss · tokens
  double tokens = 0;
  index_t steps = 0;
  SteadyClock::time_point since = SteadyClock::now();

  void count(const StepStats& s) {
    skipped += s.skipped;
    loss_sum += s.loss * static_cast<double>(s.tokens);
    tokens += static_cast<double>(s.tokens);
    tokens_seen += static_cast<double>(s.tokens);
    ++steps;
  }
  bool completed() const { return !out_of_time; }
  // Where the epoch ended, in epochs: index + 1 when complete, fractional when the time limit cut it short.
  double position() const {
    return out_of_time ? index + static_cast<double>(done) / static_cast<double>(batches) : index + 1.0;
  }
};

double Trainer::elapsed() const { return std::chrono::duration<double>(SteadyClock::now() - run_start_).count(); }

double Trainer::budget_spent() const {
  return std::chrono::duration<double>(SteadyClock::now() - options_.clock_start.value_or(run_start_)).count();
}

index_t Trainer::validation_tokens() const {
  const auto n = static_cast<index_t>(data_.valid.size());
  return options_.max_valid_tokens > 0 ? std::min(n, options_.max_valid_tokens) : n;
}

double Trainer::eval_seconds_per_token(const Epoch& epoch) const {
  if (eval_seconds_per_token_ > 0) return eval_seconds_per_token_;
  if (epoch.tokens > 0)  // no validation yet: the training time per token, an over-estimate
    return std::chrono::duration<double>(SteadyClock::now() - epoch.since).count() / epoch.tokens;
  return 0;
}

bool Trainer::validation_fits(const Epoch& epoch) const {
  return options_.max_seconds <= 0 ||
         budget_spent() + eval_seconds_per_token(epoch) * static_cast<double>(validation_tokens()) <=
             options_.max_seconds;
}

// Would one more batch, then the closing validation and the final evaluation, overrun the budget? (See trainer.hpp.)
bool Trainer::out_of_time(const Epoch& epoch) const {
  if (options_.max_seconds <= 0) return false;
  const double per_token = eval_seconds_per_token(epoch);
  const double closing = last_batch_seconds_ + per_token * static_cast<double>(validation_tokens()) +
                         std::min(per_token * static_cast<double>(options_.final_eval_tokens),
                                  0.1 * options_.max_seconds);
  return budget_spent() + closing >= options_.max_seconds;
}

// out_of_time as rank 0's clock says, on every rank; without a limit no rank asks (every rank knows there is none).
bool Trainer::time_is_up(const Epoch& epoch) {
  return options_.max_seconds > 0 && root_decides(out_of_time(epoch));
}

bool Trainer::keep_training(const TrainResult& result) const {
  return epoch_ < options_.epochs && !result.out_of_time && !result.stopped_early;
}

// With a time limit and no validation measured yet: the evaluation speed, measured on the first window of the
// validation split (eval batch × bptt tokens; evaluating changes no state), so that the first estimates of what
// validating costs are not the training speed's (several times slower per token).
void Trainer::measure_eval_speed() {
  if (!comm_.is_root()) return;  // rank 0 validates, and keeps the time
  const auto n = std::min<std::size_t>(data_.valid.size(), static_cast<std::size_t>(options_.eval_batch * options_.bptt));
  if (n == 0) return;
  PerplexityOptions eo;
  eo.batch = options_.eval_batch;
  eo.bptt = options_.bptt;
  const auto start = SteadyClock::now();
  evaluate(model_, std::span<const std::int32_t>(data_.valid).first(n), eo);
  eval_seconds_per_token_ = std::chrono::duration<double>(SteadyClock::now() - start).count() / static_cast<double>(n);
}

// The mean validation loss, on at most max_valid_tokens tokens of the validation split.
// Rank 0 validates; every rank receives the loss (see trainer.hpp).
double Trainer::validate() {
  double loss = 0;
  if (comm_.is_root()) {
    std::span<const std::int32_t> valid = data_.valid;
    if (options_.max_valid_tokens > 0 && static_cast<index_t>(valid.size()) > options_.max_valid_tokens)
      valid = valid.first(static_cast<std::size_t>(options_.max_valid_tokens));
    PerplexityOptions eo;
    eo.batch = options_.eval_batch;
    eo.bptt = options_.bptt;
    const auto start = SteadyClock::now();
    const Perplexity p = evaluate(model_, valid, eo);
    if (!valid.empty())
      eval_seconds_per_token_ =
          std::chrono::duration<double>(SteadyClock::now() - start).count() / static_cast<double>(valid.size());
    loss = p.loss;
  }
  if (comm_.size() > 1) comm_.broadcast(std::span<double>(&loss, 1), 0);
  return loss;
}

CurvePoint Trainer::add_curve_point(Epoch& epoch, double at_epoch) {
  const double secs = std::chrono::duration<double>(SteadyClock::now() - epoch.since).count();
  CurvePoint p;
  p.epoch = at_epoch;
  p.lr = optimizer_->learning_rate();
  p.train_loss = epoch.steps > 0 ? epoch.loss_sum / epoch.tokens : NAN;
  p.tokens_per_second = secs > 0 ? epoch.tokens / secs : 0;
  p.valid_loss = validate();
  p.seconds = seconds_before_ + elapsed();
  check_finite(p);
  curve_.push_back(p);
  epoch.loss_sum = epoch.tokens = 0;
  epoch.steps = 0;
  epoch.since = SteadyClock::now();
  return p;
}

std::string Trainer::last_update() const {
  if (last_update_.epoch < 0) return "before any update of this run";
  return "after the update of epoch " + std::to_string(last_update_.epoch + 1) + ", step " +
         std::to_string(last_update_.step) + " of " + std::to_string(last_update_.of);
}

namespace {
std::string divergence_advice(const TrainOptions& options) {
  return " (try a lower --lr or a --clip norm)" +
         (options.save.empty() ? std::string() : "; the checkpoints written so far are kept");
}
}  // namespace

// Before a curve point is recorded (and so before anything is saved): its validation loss and every parameter must
// be finite. The point's training loss is finite already: every step's loss was checked.
void Trainer::check_finite(const CurvePoint& p) const {
  if (!std::isfinite(p.valid_loss))
    throw DivergenceError("training diverged: the validation loss is " + std::to_string(p.valid_loss) + " " +
                          last_update() + divergence_advice(options_));
  if (const auto bad = nn::first_non_finite_parameter(model_.module()))
    throw DivergenceError("training diverged: parameter '" + bad->name + "' " + nn::describe(bad->at) + " " +
                          last_update() + divergence_advice(options_));
}

// One pass over the training batches, or up to the time limit: a step per batch with the progress bar, and a curve
// point every eval_interval batches (not after the last one: the epoch's end makes that one).
Trainer::Epoch Trainer::train_epoch(Batches& batches, Stepper& stepper) {
  Epoch epoch;
  epoch.index = epoch_;
  epoch.batches = batches.start_epoch(epoch.index, stepper);
  ProgressBar bar(std::cerr, "epoch " + std::to_string(epoch.index + 1) + "/" + std::to_string(options_.epochs),
                  epoch.batches, options_.progress, terminal_);
  epoch.since = SteadyClock::now();
  for (index_t i = 0; i < epoch.batches; ++i) {
    if (time_is_up(epoch)) {  // checked before every batch (rank 0's clock)
      epoch.out_of_time = true;
      break;
    }
    const auto step_start = SteadyClock::now();
    StepStats s;
    if (comm_.size() == 1) {
      s = batches.train(i, stepper, rng_);
    } else {  // dropout masks of this rank's own, from a generator seeded by the shared one and the rank
      Rng step_rng(rng_.next_u64() + 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(comm_.rank() + 1));
      s = batches.train(i, stepper, step_rng);
    }
    last_batch_seconds_ = std::chrono::duration<double>(SteadyClock::now() - step_start).count();
    if (!std::isfinite(s.loss)) {  // the loss is computed before the step's update: the previous update is to blame
      bar.finish();
      const bool initial = last_update_.epoch < 0 && epoch_ == 0 && curve_.empty();
      throw DivergenceError(
          "training diverged: the loss is " + std::to_string(s.loss) + " at epoch " + std::to_string(epoch.index + 1) +
          ", step " + std::to_string(i + 1) + " of " + std::to_string(epoch.batches) + ", " +
          (initial ? "before any update: the initial parameters give a non-finite loss (a smaller --init-range?)"
                   : last_update() + divergence_advice(options_)));
    }
    ++steps_;
    if (!s.skipped) last_update_ = {epoch.index, i + 1, epoch.batches};
    epoch.count(s);
    epoch.done = i + 1;
    char info[96];
    std::snprintf(info, sizeof info, "loss %.3f ppl %.1f | lr %.3g", epoch.loss_sum / epoch.tokens,
                  std::exp(epoch.loss_sum / epoch.tokens), optimizer_->learning_rate());
    bar.update(epoch.done, info, epoch.tokens_seen);
    if (options_.eval_interval > 0 && epoch.done % options_.eval_interval == 0 && epoch.done < epoch.batches) {
      if (time_is_up(epoch)) {  // no time for this validation and the closing one: the closing one replaces it
        epoch.out_of_time = true;
        break;
      }
      bar.finish();
      const CurvePoint p =
          add_curve_point(epoch, epoch.index + static_cast<double>(epoch.done) / static_cast<double>(epoch.batches));
      log_curve_point(p);
    }
  }
  bar.finish();
  return epoch;
}

// Returns true when the loss is the best so far (the model is then saved as the best).
bool Trainer::record_validation(double valid_loss) {
  const bool improved = valid_loss < best_;
  if (improved) {
    best_ = valid_loss;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  return improved;
}

bool Trainer::patience_ran_out() const { return options_.patience > 0 && bad_epochs_ >= options_.patience; }

// "| epoch 2.50 | train ppl 16.22 | valid ppl 16.36 |"
namespace {

// The fields a validation line and an epoch line of `train --json` share.
nlohmann::json curve_point_json(const char* type, const CurvePoint& p, index_t valid_tokens) {
  return {{"type", type},
          {"epoch", p.epoch},
          {"seconds", p.seconds},
          {"lr", p.lr},
          {"train_loss", p.train_loss},
          {"train_ppl", std::exp(p.train_loss)},
          {"valid_loss", p.valid_loss},
          {"valid_ppl", std::exp(p.valid_loss)},
          {"valid_tokens", valid_tokens}};
}

}  // namespace

void Trainer::log_curve_point(const CurvePoint& p) {
  if (options_.json) {
    log_json(curve_point_json("validation", p, validation_tokens()).dump());
    return;
  }
  char line[160];
  std::snprintf(line, sizeof line, "| epoch %.2f | train ppl %.2f | valid ppl %.2f |\n", p.epoch,
                std::exp(p.train_loss), std::exp(p.valid_loss));
  log_ << line << std::flush;
}

// "| epoch 3 | 1m05s | lr 1 | train loss 2.792 ppl 16.32 | valid loss 2.788 ppl 16.25 | 20345 tok/s | best"
void Trainer::log_epoch(const Epoch& epoch, const CurvePoint& p, bool improved) {
  if (options_.json) {
    nlohmann::json j = curve_point_json("epoch", p, validation_tokens());
    j["completed"] = epoch.completed();
    j["time_limit"] = epoch.out_of_time;
    j["tokens_per_second"] = p.tokens_per_second;
    j["best"] = improved;
    j["skipped_steps"] = epoch.skipped;
    log_json(j.dump());
    return;
  }
  const std::string which = epoch.out_of_time ? std::to_string(epoch.position()).substr(0, 5) + " (time limit)"
                                              : std::to_string(epoch.index + 1);
  char line[256];
  std::snprintf(line, sizeof line,
                "| epoch %s | %s | lr %.4g | train loss %.3f ppl %.2f | valid loss %.3f ppl %.2f | %.0f tok/s |%s\n",
                which.c_str(), ProgressBar::duration(p.seconds).c_str(), p.lr, p.train_loss, std::exp(p.train_loss),
                p.valid_loss, std::exp(p.valid_loss), p.tokens_per_second, improved ? " best" : "");
  log_ << line;
  if (epoch.skipped > 0) log_ << "  (" << epoch.skipped << " steps skipped: non-finite gradient norm)\n";
  log_ << std::flush;
}

void Trainer::log_json(const std::string& object) { log_ << object << '\n' << std::flush; }

void Trainer::save_best(TrainResult& result) {
  if (!options_.save.empty()) save(options_.save, result);
}

void Trainer::step_schedule(double valid_loss) {
  if (schedule_) schedule_->step(valid_loss);
}

void Trainer::save_last(TrainResult& result) {
  if (!options_.save.empty()) save(last_path(options_.save), result);
}

// ---- the loop ------------------------------------------------------------------------------------------------

// While the stop conditions allow (epochs left, time left, patience left), each epoch:
//   1. trains on every batch (or until the time limit, checked before every batch), validating every eval_interval
//      batches — train_epoch; a non-finite loss stops everything (DivergenceError). An epoch cut by the time limit
//      before its first batch, or whose validation no longer fits in the budget, ends the run here, unvalidated
//   2. validates: the epoch's point on the learning curve; a non-finite validation loss or parameter stops
//      everything too, before anything is saved
//   3. counts the epoch if it was completed, and keeps the best validation loss and the epochs without improvement
//   4. logs the epoch's summary line
//   5. saves the best model when validation improved; after a completed epoch, steps the learning-rate schedule and
//      saves the .last checkpoint (a cut epoch cannot be resumed exactly, so it leaves no .last)
//   6. rewrites the learning-curve files, and stops early when patience ran out
TrainResult Trainer::run() {
  Batches batches(model_, data_, options_, comm_);
  Stepper stepper(model_, optimizer_.get(), options_.clip);
  stepper.set_data_parallel(comm_, reducer_options_);
  run_start_ = SteadyClock::now();
  seconds_before_ = curve_.empty() ? 0.0 : curve_.back().seconds;
  terminal_ = ProgressBar::is_terminal(std::cerr);
  last_update_ = {};
  last_batch_seconds_ = 0;
  steps_ = 0;
  if (options_.max_seconds > 0 && eval_seconds_per_token_ <= 0 && keep_training(TrainResult{})) measure_eval_speed();
  TrainResult result;
  while (keep_training(result)) {
    Epoch epoch = train_epoch(batches, stepper);
    result.out_of_time = epoch.out_of_time;
    if (epoch.out_of_time && epoch.done == 0) {  // the budget ended at an epoch's start: nothing new to validate
      if (options_.json)
        log_json(nlohmann::json{{"type", "time_limit"}, {"epoch", epoch.index}, {"seconds", budget_spent()},
                                {"validated", false}}
                     .dump());
      else
        log_ << "time limit: stopped before epoch " << epoch.index + 1 << " (" << ProgressBar::duration(budget_spent())
             << " of --max-time " << ProgressBar::duration(options_.max_seconds)
             << " spent; validating takes about "
             << ProgressBar::duration(eval_seconds_per_token(epoch) * static_cast<double>(validation_tokens()))
             << ": a smaller --max-valid-tokens leaves time to train)\n"
             << std::flush;
      break;
    }
    if (epoch.out_of_time && !root_decides(validation_fits(epoch))) {  // validating would overrun the budget: stop unvalidated
      result.eval_seconds_per_token = eval_seconds_per_token(epoch);
      if (options_.json)
        log_json(nlohmann::json{{"type", "time_limit"},
                                {"epoch", epoch.position()},
                                {"seconds", budget_spent()},
                                {"train_loss", epoch.loss_sum / epoch.tokens},
                                {"validated", false}}
                     .dump());
      else
        log_ << "| epoch " << std::to_string(epoch.position()).substr(0, 5) << " (time limit) | train loss "
             << epoch.loss_sum / epoch.tokens << " | not validated: no time left for it in --max-time "
             << options_.max_seconds << "\n"
             << std::flush;
      break;
    }
    const CurvePoint p = add_curve_point(epoch, epoch.position());
    if (epoch.completed()) ++epoch_;
    const bool improved = record_validation(p.valid_loss);
    log_epoch(epoch, p, improved);
    if (improved) save_best(result);
    if (epoch.completed()) {
      step_schedule(p.valid_loss);
      save_last(result);
    }
    write_curve(result);
    if (patience_ran_out()) {
      result.stopped_early = true;
      if (options_.json)
        log_json(nlohmann::json{{"type", "early_stop"}, {"epochs_without_improvement", bad_epochs_}}.dump());
      else
        log_ << "early stop: no improvement in " << bad_epochs_ << " epochs\n";
    }
  }
  result.communication = stepper.communication();
  result.steps = steps_;
  result.curve = curve_;
  result.best_valid_loss = best_;
  result.epochs_completed = epoch_;
  if (eval_seconds_per_token_ > 0) result.eval_seconds_per_token = eval_seconds_per_token_;
  return result;
}

}  // namespace tapegrad::lm
