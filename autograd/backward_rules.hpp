// Internal: what a backward rule sees, and the declaration of one rule per op code. Each rule is defined right
// below the function that records its op (autograd/ops_*.cpp), so forward and backward read side by side.
#pragma once

#include <cassert>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

// A node during the reverse pass: its value and gradient gy = ∂J/∂y, and its inputs' values and gradient buffers.
// input_grad(k) is nullptr when input k needs no gradient (a constant, or nothing upstream needs one): rules skip
// those products.
class BackwardContext {
 public:
  BackwardContext(Tape& tape, const Node& node) : tape_(tape), node_(node), in_(tape.inputs(node)) {}

  const Node& node() const { return node_; }
  const OpParams& params() const { return node_.params; }
  const Shape& shape() const { return node_.shape; }
  index_t numel() const { return node_.shape.numel(); }
  const float* value() const { return node_.value; }
  const float* grad() const { return node_.grad; }

  std::size_t n_inputs() const { return in_.size(); }
  const Shape& input_shape(std::size_t k) const { return input(k).shape; }
  const float* input_value(std::size_t k) const { return input(k).value; }
  float* input_grad(std::size_t k) const { return input(k).grad; }
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

#define TAPEGRAD_DECLARE_RULE(code, name) void backward_##code(const BackwardContext& ctx);
TAPEGRAD_OPS(TAPEGRAD_DECLARE_RULE)
#undef TAPEGRAD_DECLARE_RULE

}  // namespace tapegrad::autograd
