// Parameter: a trainable tensor, its gradient, and its hierarchical name ("rnn.layer0.W_ih").
//
// The value and gradient are owned here; a tape refers to them without copying (tape.parameter), and backward adds
// into the gradient, so gradients accumulate across backward calls until zero_grad(). var(tape) records the
// parameter as a leaf once per tape round and returns that same node for every later use in the round, so a weight
// used at every time step appears on the tape as one node with many consumers — and its gradient, by the chain
// rule, is the sum of the per-step contributions.
//
// A parameter starts with storage of its own. Module::pack_parameters() moves it into the ParameterBlock of its model
// (nn/parameter_block.hpp): value() and grad() are then windows into the block's two buffers — the same Tensor
// interface, with a fixed shape (assigning to them copies values in).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "autograd/tape.hpp"
#include "ops/tensor.hpp"

namespace tapegrad::nn {

class ParameterBlock;

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
  // Mutable access may write anywhere, so it marks the whole gradient as possibly non-zero (see below).
  Tensor& grad() {
    dense_dirty_ = true;
    return grad_;
  }
  const Tensor& grad() const { return grad_; }
  // For code that writes only inside for_each_gradient_range (clipping): the storage, without marking it dense.
  float* gradient_data() { return grad_.data(); }
  // Sets the gradient to zero: all of it, or only the rows that may be non-zero (see below).
  void zero_grad();

  // The block holding this parameter's value and gradient, or nullptr while it has storage of its own.
  ParameterBlock* block() const { return block_.get(); }
  // Whether the parameter was ever recorded on a tape (var/rows_var): then it can no longer be packed.
  bool recorded() const { return leaf_tape_ != nullptr; }

  // The parameter's leaf on `tape` for the current round (see the file comment). Recorded at the top-level scope
  // whatever scope first asks for it: a parameter belongs to no time step. Any op may read it, so from now on until
  // zero_grad() the whole gradient may be non-zero.
  autograd::Var var(autograd::Tape& tape);

  // ---- Row-sparse gradients (embedding tables) ----
  // The same leaf for an op that reads, and so sends gradient to, only the given rows of a 2-D parameter (an
  // embedding lookup). As long as a parameter is used only this way, it knows which rows may have a non-zero
  // gradient, and zero_grad(), gradient norms and clipping, and plain SGD visit only those rows — the rows of the
  // words in a batch instead of the whole vocabulary. Throws UsageError for an id outside [0, rows).
  autograd::Var rows_var(autograd::Tape& tape, std::span<const std::int32_t> rows);
  // Calls f(first, count) for consecutive ranges of floats that hold every possibly non-zero gradient value, in
  // ascending order: one range over everything for a dense gradient, the touched rows otherwise. Skipping the rest
  // skips only exact zeros, so a sum over these ranges equals the sum over the whole gradient bit for bit.
  template <class F>
  void for_each_gradient_range(F&& f) const;
  bool gradient_is_dense() const { return dense_dirty_ || dense_pending_; }
  // Marks rows as written in this round, as rows_var does but without recording anything: for a gradient another
  // process added to (the data-parallel sums of nn/distributed/gradient_reducer.hpp). Row ids must be in range.
  void mark_rows_written(std::span<const std::int32_t> rows);

 private:
  friend class Module;          // sets name_ when the owning module is placed in a tree
  friend class ParameterBlock;  // moves value_ and grad_ into a block, zeroes gradients in one pass
  autograd::Var leaf(autograd::Tape& tape);
  // The bookkeeping of zero_grad() once the gradient ranges are zero.
  void forget_cleared_gradient();

  std::string local_name_;
  std::string name_;
  Tensor value_;
  Tensor grad_;
  std::shared_ptr<ParameterBlock> block_;  // keeps the memory value_ and grad_ borrow alive (null: they own theirs)
  // The leaf recorded last: valid while the tape is in the same generation and grad mode.
  const autograd::Tape* leaf_tape_ = nullptr;
  std::uint32_t leaf_generation_ = 0;
  bool leaf_grad_enabled_ = false;
  autograd::Var leaf_;
  // Where the gradient may be non-zero. Uses recorded in the current tape round are "pending" (their backward pass
  // may still come, even after a zero_grad()); when the next round starts they become "dirty" (written, or not,
  // until the next zero_grad()). dense_*: anywhere (var() or mutable grad()); touched_[r]: row r (rows_var()).
  static constexpr std::uint8_t kPending = 1, kDirty = 2;
  bool dense_pending_ = false;
  bool dense_dirty_ = false;
  std::vector<std::uint8_t> touched_;
};

template <class F>
void Parameter::for_each_gradient_range(F&& f) const {
  const bool dense = dense_pending_ || dense_dirty_;
  if (dense || shape().rank() != 2 || touched_.empty()) {
    if (dense || shape().rank() != 2) f(index_t{0}, numel());
    return;
  }
  const index_t rows = shape()[0], cols = shape()[1];
  for (index_t r = 0; r < rows;) {
    if (!touched_[static_cast<std::size_t>(r)]) {
      ++r;
      continue;
    }
    index_t end = r + 1;
    while (end < rows && touched_[static_cast<std::size_t>(end)]) ++end;
    f(r * cols, (end - r) * cols);
    r = end;
  }
}

}  // namespace tapegrad::nn
