// ParameterBlock: packing parameters into the two buffers, and zeroing their gradients in one pass.
#include "nn/parameter_block.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "ops/error.hpp"

namespace tapegrad::nn {

ParameterBlock::ParameterBlock(std::vector<Parameter*> params) : params_(std::move(params)) {
  offsets_.reserve(params_.size());
  for (const Parameter* p : params_) {
    offsets_.push_back(size_);
    size_ += p->numel();
  }
  values_ = allocate_aligned(static_cast<std::size_t>(size_));
  gradients_ = allocate_aligned(static_cast<std::size_t>(size_));
}

std::shared_ptr<ParameterBlock> ParameterBlock::pack(std::vector<Parameter*> params) {
  std::set<const Parameter*> seen;
  for (const Parameter* p : params) {
    if (p == nullptr) throw UsageError("ParameterBlock: the parameter list holds a null pointer");
    if (!seen.insert(p).second) throw UsageError("ParameterBlock: parameter '" + p->name() + "' is listed twice");
    if (p->recorded())
      throw UsageError("ParameterBlock: parameter '" + p->name() +
                       "' was already recorded on a tape, which keeps pointers to its storage; pack the parameters "
                       "before the first forward pass");
  }
  // Everything that can fail (the checks, the two allocations) is done before any parameter changes.
  std::shared_ptr<ParameterBlock> block(new ParameterBlock(std::move(params)));
  for (std::size_t i = 0; i < block->params_.size(); ++i) {
    Parameter& p = *block->params_[i];
    float* value = block->values_.get() + block->offsets_[i];
    float* grad = block->gradients_.get() + block->offsets_[i];
    const auto bytes = static_cast<std::size_t>(p.numel()) * sizeof(float);
    if (bytes > 0) {
      std::memcpy(value, p.value_.data(), bytes);
      std::memcpy(grad, p.grad_.data(), bytes);
    }
    // One parameter at a time: its old storage is released before the next is copied, so the peak memory is the
    // block plus one parameter rather than twice the model.
    p.value_.borrow(value);
    p.grad_.borrow(grad);
    if (p.block_) p.block_->superseded_ = true;
    p.block_ = block;
  }
  return block;
}

bool ParameterBlock::holds(std::span<Parameter* const> params) const {
  return current() && std::equal(params.begin(), params.end(), params_.begin(), params_.end());
}

void ParameterBlock::zero_grad() {
  float* g = gradients_.get();
  for_each_gradient_range([&](index_t first, index_t count) { std::fill(g + first, g + first + count, 0.0f); });
  for (Parameter* p : params_) p->forget_cleared_gradient();
}

}  // namespace tapegrad::nn
