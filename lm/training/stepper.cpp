// Stepper: backward, clipping and the optimizer step after the forward pass BatchForward records.
#include "lm/training/stepper.hpp"

#include <cmath>

#include "nn/clip_step.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using autograd::Var;

Stepper::Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip)
    : forward_(model), optimizer_(optimizer), clip_(clip) {}

StepStats Stepper::finish_training(Var loss, index_t tokens) {
  if (!optimizer_) throw UsageError("Stepper::train: this stepper has no optimizer (evaluation only)");
  StepStats s;
  s.loss = loss.item();
  s.tokens = tokens;
  optimizer_->zero_grad();
  forward_.tape().backward(loss);
  if (clip_ > 0) {  // the norm comes with the clipping; a non-finite one skips the update (clip_and_step makes none)
    s.grad_norm = nn::clip_and_step(*optimizer_, clip_);  // clip_grad_norm + step, one pass fewer for plain SGD
    s.skipped = !std::isfinite(s.grad_norm);
  } else {  // without clipping nothing reads the whole gradient an extra time (grad_norm stays 0: not measured)
    optimizer_->step();
  }
  return s;
}

StepStats Stepper::train(const StreamWindow& w, Rng& rng) {
  const RNNLM::Output& out = forward_.record(w, rng);
  const StepStats s = finish_training(out.loss, w.steps * w.batch);
  forward_.carry(out.final_states);
  return s;
}

StepStats Stepper::train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng) {
  const Var loss = forward_.record(contexts, targets, rng);
  return finish_training(loss, static_cast<index_t>(targets.size()));
}

}  // namespace tapegrad::lm
