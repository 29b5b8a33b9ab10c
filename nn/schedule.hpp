// Learning-rate schedules: each one owns no learning rate of its own but sets its Optimizer's, once per epoch.
//
//   nn::SGD sgd(model.parameters(), {.lr = 1.0f});
//   nn::ConstantThenDecay schedule(sgd, /*constant_epochs=*/4, /*gamma=*/0.5);   // Zaremba et al. 2014, small model
//   for (int epoch = 0; epoch < 13; ++epoch) {
//     train_one_epoch(sgd);                 // uses sgd.learning_rate()
//     schedule.step(validation_loss);       // end of the epoch: sets the rate of the next one
//   }
//
// Call step() once at the end of every epoch (the metric is needed by ReduceOnPlateau only). After e calls,
// epoch() = e and the closed-form schedules have set the optimizer's rate to base_lr·factor(e), where base_lr is the
// optimizer's rate when the schedule was built:
//
//   StepDecay(k, γ):           factor(e) = γ^⌊e / k⌋              (×γ every k epochs)
//   ExponentialDecay(γ):       factor(e) = γᵉ                      (×γ every epoch)
//   ConstantThenDecay(E, γ):   factor(e) = γ^max(0, e − E + 1)     (E epochs at base_lr, then ×γ every epoch)
//
// The rate is computed from base_lr in double each time (not multiplied into the previous float), so it does not
// drift and a restored schedule continues exactly. ReduceOnPlateau instead multiplies the current rate by its factor
// when the metric has stopped improving (formulas at the class).
//
// state() is the schedule's progress as exact text (epoch, base_lr and, for the plateau, the best metric and the
// count of bad epochs); a checkpoint stores it in its metadata. The settings given to the constructor (k, γ, patience,
// …) are not part of the state: construct the schedule with the same settings before load_state().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "nn/optimizer.hpp"

namespace tapegrad::nn {

class LrSchedule {
 public:
  using State = std::map<std::string, std::string>;

  virtual ~LrSchedule() = default;
  LrSchedule(const LrSchedule&) = delete;
  LrSchedule& operator=(const LrSchedule&) = delete;

  // End of an epoch: epoch() += 1, then the optimizer's rate for the next epoch is set.
  void step(std::optional<double> metric = std::nullopt);
  std::int64_t epoch() const { return epoch_; }
  double base_lr() const { return base_lr_; }
  Optimizer& optimizer() const { return optimizer_; }

  virtual std::string_view kind() const = 0;  // "step", "exponential", "constant_then_decay", "plateau"
  // {"kind", "epoch", "base_lr", …} as exact text.
  virtual State state() const;
  // Throws UsageError naming the key unless `state` is a state of this kind of schedule; changes nothing then.
  virtual void check_state(const State& state) const;
  // check_state, then restores the progress. Does not touch the optimizer's rate (a checkpoint restores that).
  void load_state(const State& state);

 protected:
  explicit LrSchedule(Optimizer& optimizer);
  virtual void on_epoch_end(std::optional<double> metric) = 0;
  // True for schedules whose step() needs a metric (checked before the epoch is counted).
  virtual bool needs_metric() const { return false; }
  // Called by load_state after check_state passed: restores the keys a subclass added to state().
  virtual void restore(const State& state) { (void)state; }

 private:
  Optimizer& optimizer_;
  double base_lr_;
  std::int64_t epoch_ = 0;
};

// A schedule whose rate is base_lr·factor(epoch).
class ClosedFormSchedule : public LrSchedule {
 public:
  virtual double factor(std::int64_t epoch) const = 0;
  // The rate this schedule gives epoch e (0-based): base_lr·factor(e), rounded to float once.
  float learning_rate_at(std::int64_t epoch) const;

 protected:
  using LrSchedule::LrSchedule;
  void on_epoch_end(std::optional<double> metric) override;
};

// ×γ every k epochs: factor(e) = γ^⌊e / k⌋. Throws UsageError unless k ≥ 1 and 0 < γ ≤ 1.
class StepDecay final : public ClosedFormSchedule {
 public:
  StepDecay(Optimizer& optimizer, std::int64_t step_size, double gamma);
  double factor(std::int64_t epoch) const override;
  std::string_view kind() const override { return "step"; }

 private:
  std::int64_t step_size_;
  double gamma_;
};

// ×γ every epoch: factor(e) = γᵉ. Throws UsageError unless 0 < γ ≤ 1.
class ExponentialDecay final : public ClosedFormSchedule {
 public:
  ExponentialDecay(Optimizer& optimizer, double gamma);
  double factor(std::int64_t epoch) const override;
  std::string_view kind() const override { return "exponential"; }

 private:
  double gamma_;
};

// Zaremba, Sutskever & Vinyals 2014: base_lr for the first E epochs, then ×γ every epoch:
// factor(e) = γ^max(0, e − E + 1). Their small LSTM: lr 1, E = 4, γ = 1/2; medium: E = 6, γ = 1/1.2.
// E = 1 is ExponentialDecay. Throws UsageError unless E ≥ 1 (factor(0) = 1: the optimizer's rate is base_lr) and
// 0 < γ ≤ 1.
class ConstantThenDecay final : public ClosedFormSchedule {
 public:
  ConstantThenDecay(Optimizer& optimizer, std::int64_t constant_epochs, double gamma);
  double factor(std::int64_t epoch) const override;
  std::string_view kind() const override { return "constant_then_decay"; }

 private:
  std::int64_t constant_epochs_;
  double gamma_;
};

struct PlateauOptions {
  double factor = 0.1;         // rate ← max(rate·factor, min_lr); 0 < factor < 1
  std::int64_t patience = 10;  // bad epochs tolerated before a cut; ≥ 0
  double threshold = 1e-4;     // relative improvement needed; ≥ 0
  double min_lr = 0.0;         // floor; ≥ 0
};

// Decay on plateau, mode "min" (for a loss), like torch.optim.lr_scheduler.ReduceLROnPlateau with threshold_mode
// "rel" and no cooldown. At the end of each epoch, with metric a (e.g. the validation loss):
//
//   improved = a < best − threshold·|best|        (the first finite metric always improves on best = +∞)
//   if improved: best ← a, bad ← 0   else: bad ← bad + 1
//   if bad > patience:  rate ← max(rate·factor, min_lr),  bad ← 0
//
// (|best| rather than PyTorch's best·(1 − threshold), which asks a negative best to get *worse*.) A NaN metric is
// never an improvement. step() without a metric throws UsageError.
class ReduceOnPlateau final : public LrSchedule {
 public:
  ReduceOnPlateau(Optimizer& optimizer, const PlateauOptions& options);
  std::string_view kind() const override { return "plateau"; }
  double best() const { return best_; }
  std::int64_t bad_epochs() const { return bad_epochs_; }

  State state() const override;  // adds "best", "bad_epochs"
  void check_state(const State& state) const override;

 private:
  void on_epoch_end(std::optional<double> metric) override;
  bool needs_metric() const override { return true; }
  void restore(const State& state) override;

  PlateauOptions options_;
  double best_;
  std::int64_t bad_epochs_ = 0;
};

}  // namespace tapegrad::nn
