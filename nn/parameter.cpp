// Parameter: storage, zeroing of the gradient, and its leaf on a tape recorded once per round.
#include "nn/parameter.hpp"

#include <algorithm>
#include <utility>

#include "ops/error.hpp"

namespace tapegrad::nn {

Parameter::Parameter(std::string local_name, const Shape& shape)
    : local_name_(local_name), name_(std::move(local_name)), value_(shape), grad_(shape) {}

autograd::Var Parameter::var(autograd::Tape& tape) {
  autograd::Var v = leaf(tape);
  dense_pending_ = true;
  return v;
}

autograd::Var Parameter::rows_var(autograd::Tape& tape, std::span<const std::int32_t> rows) {
  if (shape().rank() != 2) return var(tape);
  const index_t n = shape()[0];
  for (std::int32_t r : rows)
    if (r < 0 || r >= n)
      throw UsageError("parameter '" + name_ + "': row " + std::to_string(r) + " is outside its " + std::to_string(n) +
                       " rows");
  autograd::Var v = leaf(tape);
  touched_.resize(static_cast<std::size_t>(n), 0);
  for (std::int32_t r : rows) touched_[static_cast<std::size_t>(r)] |= kPending;
  return v;
}

void Parameter::mark_rows_written(std::span<const std::int32_t> rows) {
  if (shape().rank() != 2) throw UsageError("parameter '" + name_ + "': rows marked on a " + shape().str() + " parameter");
  touched_.resize(static_cast<std::size_t>(shape()[0]), 0);
  for (std::int32_t r : rows) {
    if (r < 0 || r >= shape()[0])
      throw UsageError("parameter '" + name_ + "': row " + std::to_string(r) + " is outside its " +
                       std::to_string(shape()[0]) + " rows");
    touched_[static_cast<std::size_t>(r)] |= kPending;
  }
}

void Parameter::zero_grad() {
  float* g = grad_.data();
  for_each_gradient_range([&](index_t first, index_t count) { std::fill(g + first, g + first + count, 0.0f); });
  forget_cleared_gradient();
}

void Parameter::forget_cleared_gradient() {
  // All zero now; what the current round recorded (pending) will still be written by its backward pass.
  for (std::uint8_t& t : touched_) t &= kPending;
  dense_dirty_ = false;
}

autograd::Var Parameter::leaf(autograd::Tape& tape) {
  const bool fresh =
      leaf_tape_ == &tape && leaf_generation_ == tape.generation() && leaf_grad_enabled_ == tape.grad_enabled();
  if (!fresh) {
    // A new round: whatever the previous one recorded may have received its gradient by now.
    dense_dirty_ = dense_dirty_ || dense_pending_;
    dense_pending_ = false;
    for (std::uint8_t& t : touched_)
      if (t & kPending) t = kDirty;
    tape.push_root_scope();
    leaf_ = tape.parameter(value_, grad_, name_);
    tape.pop_scope();
    leaf_tape_ = &tape;
    leaf_generation_ = tape.generation();
    leaf_grad_enabled_ = tape.grad_enabled();
  }
  return leaf_;
}

}  // namespace tapegrad::nn
