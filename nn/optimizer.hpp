// Optimizer: the interface every update rule shares (SGD, Adam, AdamW), over a fixed list of parameters.
//
//   nn::Adam optim(model.parameters(), {.lr = 1e-3f});
//   for (each batch) {
//     optim.zero_grad();
//     tape.backward(loss);
//     nn::clip_grad_norm(optim.parameters(), 5.0);
//     optim.step();                      // step_count() becomes 1, 2, 3, …
//     tape.clear();
//   }
//
// Per-parameter state (momentum buffers, Adam's moment estimates) lives in named slots, one tensor per parameter
// shaped like it; a checkpoint stores slot "exp_avg" of parameter "rnn.W" as the tensor "optim.exp_avg.rnn.W" without
// knowing which optimizer it saves. Scalar state is the step count and the learning rate. Updates are plain loops in
// a fixed order over the parameters, so the same gradients give bit-identical parameters on every run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nn/parameter.hpp"

namespace tapegrad::nn {

class Optimizer {
 public:
  // One named piece of per-parameter state: tensors[i] belongs to parameters()[i] and has its shape.
  struct StateSlot {
    std::string name;  // "momentum_buffer", "exp_avg", "exp_avg_sq"
    std::vector<Tensor> tensors;
  };

  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter from its current gradient. Increments step_count() first, so the first update is
  // step 1 (Adam's bias correction needs t ≥ 1).
  void step();
  // Sets every parameter's gradient to zero.
  void zero_grad();

  float learning_rate() const { return lr_; }
  // Throws UsageError unless lr is finite and ≥ 0.
  void set_learning_rate(float lr);
  std::int64_t step_count() const { return step_count_; }
  // For checkpoints: the number of updates already made (Adam's bias correction depends on it). Throws if < 0.
  void set_step_count(std::int64_t steps);

  const std::vector<Parameter*>& parameters() const { return params_; }
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

 private:
  std::vector<Parameter*> params_;
  std::vector<StateSlot> slots_;
  float lr_ = 0.0f;
  std::int64_t step_count_ = 0;
  std::string who_;  // class name for messages
};

namespace detail {
// Throws UsageError "<who>: <what> must be …" unless lo ≤ value (and value < hi when hi_open) and value is finite.
void check_range(std::string_view who, std::string_view what, double value, double lo, double hi, bool hi_open);
}  // namespace detail

}  // namespace tapegrad::nn
