// ParameterBlock: the parameters of a model in one contiguous buffer, and their gradients in a second one laid out
// the same way (the layout of llm.c). Each parameter keeps its own value() and grad() tensors, which become windows
// into the two buffers (Tensor::borrow), so layers, the tape and checkpoints use them as before; what the block adds
// is the flat view, over which the update rules, the gradient norm, clipping and zeroing run as single loops, and
// which a multi-process trainer can all-reduce in one call:
//
//   values      [ p₀ (n₀ floats) | p₁ (n₁) | … | p_k (n_k) ]    one allocation, 64-byte aligned, no padding
//   gradients   [ ∇p₀            | ∇p₁     | … | ∇p_k      ]    the same offsets
//   offset(i) = n₀ + … + n_{i−1},  size() = n₀ + … + n_k
//
// Parameters follow one another without padding, so only the first starts on a 64-byte boundary (the kernels load
// unaligned), and the block holds exactly the bytes of the parameters in order: what a checkpoint writes in one piece.
//
// A block is made by Module::pack_parameters() (see nn/module.hpp for the rules), which copies the values and
// gradients in. The parameters keep the block's storage alive (shared ownership), so a parameter never outlives its
// memory. When a parameter is packed again into another block, its old block is superseded: current() turns false
// and whoever held it (an optimizer, a module) falls back to the parameter-by-parameter path.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "nn/parameter.hpp"
#include "ops/aligned.hpp"

namespace tapegrad::nn {

class ParameterBlock {
 public:
  // Moves `params` (non-null, each once) into a new block in this order, keeping their values and gradients.
  // Throws UsageError for a null or repeated parameter, or one already recorded on a tape: the tape would keep
  // pointers to the storage packing frees (pack before the first forward pass). Nothing changes when it throws.
  static std::shared_ptr<ParameterBlock> pack(std::vector<Parameter*> params);

  ParameterBlock(const ParameterBlock&) = delete;
  ParameterBlock& operator=(const ParameterBlock&) = delete;

  const std::vector<Parameter*>& parameters() const { return params_; }
  index_t size() const { return size_; }                       // floats in each buffer
  index_t offset(std::size_t i) const { return offsets_[i]; }  // where parameters()[i] starts
  std::span<float> values() { return {values_.get(), static_cast<std::size_t>(size_)}; }
  std::span<const float> values() const { return {values_.get(), static_cast<std::size_t>(size_)}; }
  // Every gradient in one span, e.g. for an all-reduce. Writing through it may put non-zero values in embedding rows
  // the row-sparse bookkeeping (Parameter::rows_var) believes zero: mark such a parameter dense (grad()) first.
  std::span<float> gradients() { return {gradients_.get(), static_cast<std::size_t>(size_)}; }
  std::span<const float> gradients() const { return {gradients_.get(), static_cast<std::size_t>(size_)}; }

  // False once one of its parameters was packed into another block: its buffers no longer hold them.
  bool current() const { return !superseded_; }
  // Whether this is a current block of exactly `params`, in this order (then a flat loop over the block is a loop
  // over those parameters in list order).
  bool holds(std::span<Parameter* const> params) const;

  // Calls f(first, count) for ranges of the gradient buffer that hold every possibly non-zero gradient value, in
  // ascending order: each parameter's ranges (Parameter::for_each_gradient_range) shifted by its offset, adjacent
  // ones merged — one range over everything for dense gradients, gaps only at untouched embedding rows.
  template <class F>
  void for_each_gradient_range(F&& f) const;
  // Parameter::zero_grad() of every parameter, the zeroing done as one pass over the block's ranges.
  void zero_grad();

 private:
  explicit ParameterBlock(std::vector<Parameter*> params);

  std::vector<Parameter*> params_;
  std::vector<index_t> offsets_;
  index_t size_ = 0;
  AlignedBuffer values_;
  AlignedBuffer gradients_;
  bool superseded_ = false;
};

template <class F>
void ParameterBlock::for_each_gradient_range(F&& f) const {
  index_t run_first = 0, run_count = 0;  // the range being merged
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const index_t base = offsets_[i];
    params_[i]->for_each_gradient_range([&](index_t first, index_t count) {
      if (count == 0) return;
      if (run_count > 0 && run_first + run_count == base + first) {
        run_count += count;
        return;
      }
      if (run_count > 0) f(run_first, run_count);
      run_first = base + first;
      run_count = count;
    });
  }
  if (run_count > 0) f(run_first, run_count);
}

// Calls f(value, grad, offset, count) for runs of `count` floats that hold every possibly non-zero gradient value of
// `params` (non-null), in list order: `value` and `grad` point at the run's parameter values and gradients, `offset`
// is where the run starts counting floats from the start of the list (its place in a block, or in an optimizer's
// state slots). One pass over the block's merged ranges when `params` is exactly a current block, else parameter by
// parameter: the same floats in the same order either way, so sums over the runs give the same bits.
template <class F>
void for_each_gradient_run(std::span<Parameter* const> params, F&& f) {
  ParameterBlock* block = params.empty() ? nullptr : params.front()->block();
  if (block != nullptr && block->holds(params)) {
    float* value = block->values().data();
    float* grad = block->gradients().data();
    block->for_each_gradient_range([&](index_t first, index_t count) { f(value + first, grad + first, first, count); });
    return;
  }
  index_t offset = 0;
  for (Parameter* p : params) {
    float* value = p->value().data();
    float* grad = p->gradient_data();
    p->for_each_gradient_range(
        [&](index_t first, index_t count) { f(value + first, grad + first, offset + first, count); });
    offset += p->numel();
  }
}

}  // namespace tapegrad::nn
