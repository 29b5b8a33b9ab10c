// Optimizer: parameter list checks, the step counter, the learning rate and the flat state slots.
#include "nn/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "nn/clip.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

namespace detail {
void check_range(std::string_view who, std::string_view what, double value, double lo, double hi, bool hi_open) {
  const bool ok = std::isfinite(value) && value >= lo && (hi_open ? value < hi : value <= hi);
  if (!ok) {
    std::ostringstream msg;
    msg << who << ": " << what << " = " << value << " must be finite and in [" << lo << ", " << hi
        << (hi_open ? ")" : "]");
    throw UsageError(msg.str());
  }
}
}  // namespace detail

Optimizer::Optimizer(std::vector<Parameter*> params, float lr, std::string_view who)
    : params_(std::move(params)), who_(who) {
  if (params_.empty()) throw UsageError(who_ + ": the parameter list is empty");
  std::set<const Parameter*> seen;
  for (const Parameter* p : params_) {
    if (p == nullptr) throw UsageError(who_ + ": the parameter list holds a null pointer");
    if (!seen.insert(p).second)
      throw UsageError(who_ + ": parameter '" + p->name() + "' is listed twice (it would be updated twice per step)");
    offsets_.push_back(size_);
    size_ += p->numel();
  }
  set_learning_rate(lr);
}

ParameterBlock* Optimizer::block() const {
  ParameterBlock* b = params_.front()->block();
  return b != nullptr && b->holds(params_) ? b : nullptr;
}

void Optimizer::set_learning_rate(float lr) {
  detail::check_range(who_, "learning rate", lr, 0.0, std::numeric_limits<double>::infinity(), false);
  lr_ = lr;
}

void Optimizer::set_step_count(std::int64_t steps) {
  if (steps < 0) throw UsageError(who_ + ": step count " + std::to_string(steps) + " must be ≥ 0");
  step_count_ = steps;
}

Optimizer::StateSlot& Optimizer::add_slot(std::string name) {
  StateSlot slot{std::move(name), {}, allocate_aligned(static_cast<std::size_t>(size_)), size_};
  std::fill(slot.storage.get(), slot.storage.get() + size_, 0.0f);
  slot.tensors.reserve(params_.size());
  for (std::size_t k = 0; k < params_.size(); ++k)
    slot.tensors.push_back(Tensor::borrowing(slot.storage.get() + offsets_[k], params_[k]->shape()));
  slots_.push_back(std::move(slot));
  return slots_.back();
}

void Optimizer::check_sizes() const {
  // The update loops index value, gradient and state with one counter: a parameter whose tensors were replaced by
  // ones of another size would make them read out of bounds, so check the sizes (a few compares per parameter).
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Parameter& p = *params_[i];
    bool ok = p.grad().numel() == p.value().numel();
    for (const StateSlot& slot : slots_) ok = ok && slot.tensors[i].numel() == p.value().numel();
    if (!ok)
      throw UsageError(who_ + ": parameter '" + p.name() + "' changed size since the optimizer was built (value " +
                       p.value().shape().str() + ", gradient " + p.grad().shape().str() + ")");
  }
}

void Optimizer::step() {
  check_sizes();
  ++step_count_;
  update();
}

void Optimizer::step_scaled(float grad_scale) {
  check_sizes();
  ++step_count_;
  update_scaled(grad_scale);
}

void Optimizer::update_scaled(float grad_scale) {
  scale_gradients(params_, grad_scale);
  update();
}

void Optimizer::zero_grad() {
  if (ParameterBlock* b = block()) {
    b->zero_grad();
    return;
  }
  for (Parameter* p : params_) p->zero_grad();
}

}  // namespace tapegrad::nn
