// Parameter: storage, and its leaf on a tape recorded once per round.
#include "nn/parameter.hpp"

#include <utility>

namespace tapegrad::nn {

Parameter::Parameter(std::string local_name, const Shape& shape)
    : local_name_(local_name), name_(std::move(local_name)), value_(shape), grad_(shape) {}

autograd::Var Parameter::var(autograd::Tape& tape) {
  const bool fresh =
      leaf_tape_ == &tape && leaf_generation_ == tape.generation() && leaf_grad_enabled_ == tape.grad_enabled();
  if (!fresh) {
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
