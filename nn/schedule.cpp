// Learning-rate schedules: the closed forms, the plateau rule, and their state as text (formulas in schedule.hpp).
#include "nn/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "nn/number_text.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
void check_gamma(std::string_view who, double gamma) {
  if (!(gamma > 0.0 && gamma <= 1.0)) {
    std::ostringstream msg;
    msg << who << ": gamma = " << gamma << " must be in (0, 1]";
    throw UsageError(msg.str());
  }
}

// The value of `key` in `state`, or UsageError naming the key.
const std::string& field(const LrSchedule::State& state, std::string_view kind, const std::string& key) {
  const auto it = state.find(key);
  if (it == state.end()) throw UsageError("schedule '" + std::string(kind) + "': state has no '" + key + "'");
  return it->second;
}

[[noreturn]] void bad_field(std::string_view kind, const std::string& key, const std::string& value,
                            const char* expected) {
  throw UsageError("schedule '" + std::string(kind) + "': state '" + key + "' = '" + value + "' is not " + expected);
}

std::int64_t parse_count(const LrSchedule::State& state, std::string_view kind, const std::string& key) {
  const std::string& s = field(state, kind, key);
  const auto v = text::parse<std::int64_t>(s);
  if (!v || *v < 0) bad_field(kind, key, s, "an integer ≥ 0");
  return *v;
}

double parse_real(const LrSchedule::State& state, std::string_view kind, const std::string& key, bool allow_inf) {
  const std::string& s = field(state, kind, key);
  const auto v = text::parse<double>(s);
  if (!v || std::isnan(*v) || (!allow_inf && std::isinf(*v)) || (!allow_inf && *v < 0))
    bad_field(kind, key, s, allow_inf ? "a number" : "a finite number ≥ 0");
  return *v;
}
}  // namespace

// ---- LrSchedule ---------------------------------------------------------------------------------------------------

LrSchedule::LrSchedule(Optimizer& optimizer) : optimizer_(optimizer), base_lr_(optimizer.learning_rate()) {}

void LrSchedule::step(std::optional<double> metric) {
  if (needs_metric() && !metric)
    throw UsageError("schedule '" + std::string(kind()) +
                     "': step() needs the epoch's metric (e.g. the validation loss)");
  ++epoch_;
  on_epoch_end(metric);
}

LrSchedule::State LrSchedule::state() const {
  return {{"kind", std::string(kind())}, {"epoch", text::format(epoch_)}, {"base_lr", text::format(base_lr_)}};
}

void LrSchedule::check_state(const State& state) const {
  const std::string& k = field(state, kind(), "kind");
  if (k != kind()) throw UsageError("schedule '" + std::string(kind()) + "': state is of a '" + k + "' schedule");
  parse_count(state, kind(), "epoch");
  parse_real(state, kind(), "base_lr", false);
}

void LrSchedule::load_state(const State& state) {
  check_state(state);
  epoch_ = parse_count(state, kind(), "epoch");
  base_lr_ = parse_real(state, kind(), "base_lr", false);
  restore(state);
}

// ---- Closed forms ---------------------------------------------------------------------------------------------------

float ClosedFormSchedule::learning_rate_at(std::int64_t epoch) const {
  return static_cast<float>(base_lr() * factor(epoch));
}

void ClosedFormSchedule::on_epoch_end(std::optional<double>) {
  optimizer().set_learning_rate(learning_rate_at(epoch()));
}

StepDecay::StepDecay(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : ClosedFormSchedule(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) throw UsageError("StepDecay: step_size = " + std::to_string(step_size) + " must be ≥ 1");
  check_gamma("StepDecay", gamma);
}

// γ^⌊e / k⌋
double StepDecay::factor(std::int64_t epoch) const { return std::pow(gamma_, static_cast<double>(epoch / step_size_)); }

ExponentialDecay::ExponentialDecay(Optimizer& optimizer, double gamma) : ClosedFormSchedule(optimizer), gamma_(gamma) {
  check_gamma("ExponentialDecay", gamma);
}

// γᵉ
double ExponentialDecay::factor(std::int64_t epoch) const { return std::pow(gamma_, static_cast<double>(epoch)); }

ConstantThenDecay::ConstantThenDecay(Optimizer& optimizer, std::int64_t constant_epochs, double gamma)
    : ClosedFormSchedule(optimizer), constant_epochs_(constant_epochs), gamma_(gamma) {
  if (constant_epochs < 1)
    throw UsageError("ConstantThenDecay: constant_epochs = " + std::to_string(constant_epochs) + " must be ≥ 1");
  check_gamma("ConstantThenDecay", gamma);
}

// γ^max(0, e − E + 1)
double ConstantThenDecay::factor(std::int64_t epoch) const {
  const std::int64_t decays = epoch - constant_epochs_ + 1;
  return decays <= 0 ? 1.0 : std::pow(gamma_, static_cast<double>(decays));
}

// ---- ReduceOnPlateau -----------------------------------------------------------------------------------------------

ReduceOnPlateau::ReduceOnPlateau(Optimizer& optimizer, const PlateauOptions& options)
    : LrSchedule(optimizer), options_(options), best_(std::numeric_limits<double>::infinity()) {
  const double inf = std::numeric_limits<double>::infinity();
  if (!(options.factor > 0.0 && options.factor < 1.0)) {
    std::ostringstream msg;
    msg << "ReduceOnPlateau: factor = " << options.factor << " must be in (0, 1)";
    throw UsageError(msg.str());
  }
  if (options.patience < 0)
    throw UsageError("ReduceOnPlateau: patience = " + std::to_string(options.patience) + " must be ≥ 0");
  detail::check_range("ReduceOnPlateau", "threshold", options.threshold, 0.0, inf, false);
  detail::check_range("ReduceOnPlateau", "min_lr", options.min_lr, 0.0, inf, false);
}

void ReduceOnPlateau::on_epoch_end(std::optional<double> metric) {
  const double a = *metric;  // present: step() checked needs_metric()
  // improved = a < best − threshold·|best|   (best = +∞ before the first metric)
  const bool improved = std::isinf(best_) ? a < best_ : a < best_ - options_.threshold * std::fabs(best_);
  if (improved) {
    best_ = a;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (bad_epochs_ > options_.patience) {
    // rate ← max(rate·factor, min_lr)
    const double rate = optimizer().learning_rate();
    const double cut = std::max(rate * options_.factor, options_.min_lr);
    if (cut < rate) optimizer().set_learning_rate(static_cast<float>(cut));
    bad_epochs_ = 0;
  }
}

LrSchedule::State ReduceOnPlateau::state() const {
  State s = LrSchedule::state();
  s["best"] = text::format(best_);
  s["bad_epochs"] = text::format(bad_epochs_);
  return s;
}

void ReduceOnPlateau::check_state(const State& state) const {
  LrSchedule::check_state(state);
  parse_real(state, kind(), "best", true);
  parse_count(state, kind(), "bad_epochs");
}

void ReduceOnPlateau::restore(const State& state) {
  best_ = parse_real(state, kind(), "best", true);
  bad_epochs_ = parse_count(state, kind(), "bad_epochs");
}

}  // namespace tapegrad::nn
