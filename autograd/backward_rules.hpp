// Internal: what a backward rule sees, and the declaration of one rule per op code. Each rule is defined right
// below the function that records its op (autograd/ops_*.cpp), so forward and backward read side by side.
#pragma once

#include <cassert>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

// A node during the reverse pass: its value and gradient gy = ∂J/∂y, and its inputs' values and gradient buffers.
// input_grad(k) is nullptr when input k needs no gradient (a constant, or nothing upstream needs one): rules skip
// those products. A rule reads only what its op's policy in op_list.hpp declares (value(): reads_output,
// input_value(): reads_inputs); builds with asserts check it.
class BackwardContext {
 public:
  BackwardContext(Tape& tape, const Node& node) : tape_(tape), node_(node), in_(tape.inputs(node)) {}

  const Node& node() const { return node_; }
  const OpParams& params() const { return node_.params; }
  const Shape& shape() const { return node_.shape; }
  index_t numel() const { return node_.shape.numel(); }
  const float* value() const {
    assert(op_policy(node_.op).reads_output && "backward rule reads its output; declare reads_output in op_list.hpp");
    return node_.value;
  }
  const float* grad() const { return node_.grad; }

  std::size_t n_inputs() const { return in_.size(); }
  const Shape& input_shape(std::size_t k) const { return input(k).shape; }
  const float* input_value(std::size_t k) const {
    assert(op_policy(node_.op).reads_inputs && "backward rule reads an input; declare reads_inputs in op_list.hpp");
    return input(k).value;
  }
  float* input_grad(std::size_t k) const { return input(k).grad; }
  OpCode input_op(std::size_t k) const { return input(k).op; }
  // What input k's op kept for its consumers: its parameters, saved floats and counters (recurrent_weights).
  const OpParams& input_params(std::size_t k) const { return input(k).params; }
  float* input_saved(std::size_t k) const { return input(k).saved; }
  std::int32_t* input_counters(std::size_t k) const { return input(k).counters; }
  std::int32_t* counters() const { return node_.counters; }
  std::uint32_t backward_pass() const { return tape_.backward_passes(); }
  // True when input k's gradient storage is its value (lean backward, Tape::grad_storage_of): the rule must write
  // ∂J/∂x_k there (=, not +=), reading each element of x_k before overwriting it. Only for ops whose policy says
  // overwrites_input, and only for input 0.
  bool input_grad_replaces_value(std::size_t k) const {
    const bool replaces = input(k).grad_storage == GradStorage::Value;
    assert((!replaces || (k == 0 && op_policy(node_.op).overwrites_input)) && "only input 0 of an overwriting op");
    return replaces;
  }
  // Uninitialised temporary storage for n floats, valid until this rule returns (64-byte aligned).
  float* scratch(std::size_t n) const { return tape_.scratch_.floats(n); }

 private:
  const Node& input(std::size_t k) const {
    assert(k < in_.size() && "backward rule asked for an input its op does not have");
    assert(in_[k] < tape_.size() && "node refers to an input recorded after it");
    return tape_.node(in_[k]);
  }

  Tape& tape_;
  const Node& node_;
  std::span<const std::uint32_t> in_;
};

#define TAPEGRAD_DECLARE_RULE(code, ...) void backward_##code(const BackwardContext& ctx);
TAPEGRAD_OPS(TAPEGRAD_DECLARE_RULE)
#undef TAPEGRAD_DECLARE_RULE

}  // namespace tapegrad::autograd
