// Optimizer: the interface every update rule shares (SGD, Adam, AdamW), over a fixed list of parameters.
//
//   model.pack_parameters();             // optional: one flat block (nn/module.hpp)
//   nn::Adam optim(model.parameters(), {.lr = 1e-3f});
//   for (each batch) {
//     optim.zero_grad();
//     tape.backward(loss);
//     nn::clip_grad_norm(optim.parameters(), 5.0);
//     optim.step();                      // step_count() becomes 1, 2, 3, …
//     // or both at once (same bits, one pass fewer for plain SGD, no update if the norm is not finite):
//     //   nn::clip_and_step(optim, 5.0);
//     tape.clear();
//   }
//
// Per-parameter state (momentum buffers, Adam's moment estimates) lives in named slots. A slot is one flat buffer
// laid out like the parameters, one after the other in list order (the layout of a ParameterBlock), with a tensor
// per parameter that is a window into it; a checkpoint stores slot "exp_avg" of parameter "rnn.W" as the tensor
// "optim.exp_avg.rnn.W" without knowing which optimizer it saves. Scalar state is the step count and the learning
// rate.
//
// When the list is exactly a current ParameterBlock (model.parameters() of a packed model), the parameters, their
// gradients and every slot are flat arrays with the same offsets, and an update is one loop over all of them.
// Otherwise it is a loop per parameter. The update of each scalar depends on that scalar alone, so both give the
// same bits; and every run with the same gradients gives bit-identical parameters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/parameter.hpp"
#include "nn/parameter_block.hpp"
#include "ops/aligned.hpp"

namespace tapegrad::nn {

class Optimizer {
 public:
  // One named piece of per-parameter state: tensors[i] belongs to parameters()[i] and has its shape. They are
  // windows into one buffer, tensors[i] starting where the numels of the parameters before it end.
  struct StateSlot {
    std::string name;  // "momentum_buffer", "exp_avg", "exp_avg_sq"
    std::vector<Tensor> tensors;
    AlignedBuffer storage;  // Σ numel floats, 64-byte aligned
    index_t size = 0;
    std::span<float> values() { return {storage.get(), static_cast<std::size_t>(size)}; }
    std::span<const float> values() const { return {storage.get(), static_cast<std::size_t>(size)}; }
  };

  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter from its current gradient. Increments step_count() first, so the first update is
  // step 1 (Adam's bias correction needs t ≥ 1).
  void step();
  // One update as if every gradient had first been multiplied by grad_scale in float, g ← g·grad_scale, the way
  // clipping scales them (nn::scale_gradients): bit for bit the parameters and state that scale_gradients + step()
  // give. An update rule that can fold the factor into its own loop (SGD without momentum or weight decay) reads each
  // gradient once and writes none — the gradients are then left unscaled —; the others scale the gradients in place
  // and update. nn::clip_and_step (nn/clip_step.hpp) is the caller. Increments step_count() like step().
  void step_scaled(float grad_scale);
  // Sets every parameter's gradient to zero (only the touched rows of an embedding; one pass over a block).
  void zero_grad();

  float learning_rate() const { return lr_; }
  // Throws UsageError unless lr is finite and ≥ 0.
  void set_learning_rate(float lr);
  std::int64_t step_count() const { return step_count_; }
  // For checkpoints: the number of updates already made (Adam's bias correction depends on it). Throws if < 0.
  void set_step_count(std::int64_t steps);

  const std::vector<Parameter*>& parameters() const { return params_; }
  // The block that parameters() is exactly, in order, or nullptr: then updates run parameter by parameter.
  ParameterBlock* block() const;
  std::vector<StateSlot>& state_slots() { return slots_; }
  const std::vector<StateSlot>& state_slots() const { return slots_; }

  // "sgd", "adam", "adamw": recorded in checkpoints, which refuse to load one kind's state into another.
  virtual std::string_view kind() const = 0;
  // The fixed settings (momentum, betas, …) by name, recorded in checkpoints for the reader's information.
  virtual std::map<std::string, double> hyperparameters() const = 0;

 protected:
  // Throws UsageError for an empty list, a null pointer, a parameter listed twice, or a bad learning rate.
  Optimizer(std::vector<Parameter*> params, float lr, std::string_view who);
  // Adds a slot of zero tensors shaped like the parameters and returns it.
  StateSlot& add_slot(std::string name);
  // The update of step t = step_count() (already incremented).
  virtual void update() = 0;
  // The update of step_scaled: by default nn::scale_gradients(parameters(), grad_scale), then update(). An override
  // must give the same bits.
  virtual void update_scaled(float grad_scale);

  // A stretch of the arrays an update loop runs over: n values, their gradients, and where their state starts in
  // every slot's values().
  struct Segment {
    float* value;
    const float* grad;
    index_t state_offset;
    index_t n;
  };
  // f(segment) over all parameters: one segment spanning the block when block() is set, else one per parameter.
  template <class F>
  void for_each_segment(F&& f) const;
  // The same over the gradient ranges that may be non-zero only (Parameter::for_each_gradient_range): elsewhere the
  // gradient is exactly zero, so an update that reads only the gradient leaves those values as they are.
  template <class F>
  void for_each_gradient_segment(F&& f) const;

 private:
  std::vector<Parameter*> params_;
  std::vector<index_t> offsets_;  // where each parameter's state starts in a slot
  index_t size_ = 0;              // Σ numel
  std::vector<StateSlot> slots_;
  float lr_ = 0.0f;
  std::int64_t step_count_ = 0;
  std::string who_;  // class name for messages

  // Throws UsageError when a parameter's tensors changed size since construction (before any update).
  void check_sizes() const;
};

template <class F>
void Optimizer::for_each_segment(F&& f) const {
  if (ParameterBlock* b = block()) {
    f(Segment{b->values().data(), std::as_const(*b).gradients().data(), 0, b->size()});
    return;
  }
  for (std::size_t k = 0; k < params_.size(); ++k) {
    Parameter& p = *params_[k];
    f(Segment{p.value().data(), std::as_const(p).grad().data(), offsets_[k], p.numel()});
  }
}

template <class F>
void Optimizer::for_each_gradient_segment(F&& f) const {
  for_each_gradient_run(params_, [&](float* value, const float* grad, index_t offset, index_t count) {
    f(Segment{value, grad, offset, count});
  });
}

namespace detail {
// Throws UsageError "<who>: <what> must be …" unless lo ≤ value (and value < hi when hi_open) and value is finite.
void check_range(std::string_view who, std::string_view what, double value, double lo, double hi, bool hi_open);
}  // namespace detail

}  // namespace tapegrad::nn
