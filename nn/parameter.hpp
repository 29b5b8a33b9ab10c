// Parameter: a trainable tensor, its gradient, and its hierarchical name ("rnn.layer0.W_ih").
//
// The value and gradient are owned here; a tape refers to them without copying (tape.parameter), and backward adds
// into the gradient, so gradients accumulate across backward calls until zero_grad(). var(tape) records the
// parameter as a leaf once per tape round and returns that same node for every later use in the round, so a weight
// used at every time step appears on the tape as one node with many consumers — and its gradient, by the chain
// rule, is the sum of the per-step contributions.
#pragma once

#include <string>

#include "autograd/tape.hpp"
#include "ops/tensor.hpp"

namespace tapegrad::nn {

class Parameter {
 public:
  Parameter(std::string local_name, const Shape& shape);
  Parameter(const Parameter&) = delete;
  Parameter& operator=(const Parameter&) = delete;

  const std::string& name() const { return name_; }              // full path, e.g. "rnn.layer0.W_ih"
  const std::string& local_name() const { return local_name_; }  // e.g. "W_ih"
  const Shape& shape() const { return value_.shape(); }
  index_t numel() const { return value_.numel(); }

  Tensor& value() { return value_; }
  const Tensor& value() const { return value_; }
  Tensor& grad() { return grad_; }
  const Tensor& grad() const { return grad_; }
  void zero_grad() { grad_.fill(0.0f); }

  // The parameter's leaf on `tape` for the current round (see the file comment). Recorded at the top-level scope
  // whatever scope first asks for it: a parameter belongs to no time step.
  autograd::Var var(autograd::Tape& tape);

 private:
  friend class Module;  // sets name_ when the owning module is placed in a tree

  std::string local_name_;
  std::string name_;
  Tensor value_;
  Tensor grad_;
  // The leaf recorded last: valid while the tape is in the same generation and grad mode.
  const autograd::Tape* leaf_tape_ = nullptr;
  std::uint32_t leaf_generation_ = 0;
  bool leaf_grad_enabled_ = false;
  autograd::Var leaf_;
};

}  // namespace tapegrad::nn
