// Stepper: training and evaluation steps of the recurrent and window language models.
#include "lm/training/stepper.hpp"

#include <cmath>
#include <cstring>

#include "nn/clip.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using autograd::NoGradGuard;
using autograd::Var;

Stepper::Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip)
    : model_(model), optimizer_(optimizer), clip_(clip) {
  tape_.set_lean(true);  // only the parameters' gradients are read: views share, the logits' gradient replaces them
}

std::span<const nn::CellState> Stepper::carried_state() {
  initial_.clear();
  for (const nn::CellStateValue& v : state_) initial_.push_back(nn::to_state(tape_, v));
  return initial_;
}

// Copies the final states out of the tape (into the same tensors when the shapes repeat, as they do every step).
void Stepper::keep_state(std::span<const nn::CellState> final_states) {
  if (state_.size() != final_states.size()) state_.assign(final_states.size(), {});
  const auto copy = [](Tensor& to, Var from) {
    if (from.is_null()) {
      to = Tensor();
      return;
    }
    const ConstTensorView v = from.value();
    if (to.shape() != v.shape) to = Tensor(v.shape);
    if (v.numel() > 0) std::memcpy(to.data(), v.data, static_cast<std::size_t>(v.numel()) * sizeof(float));
  };
  for (std::size_t i = 0; i < final_states.size(); ++i) {
    copy(state_[i].h, final_states[i].h);
    copy(state_[i].c, final_states[i].c);
  }
}

StepStats Stepper::finish_training(Var loss, index_t tokens) {
  if (!optimizer_) throw UsageError("Stepper::train: this stepper has no optimizer (evaluation only)");
  StepStats s;
  s.loss = loss.item();
  s.tokens = tokens;
  optimizer_->zero_grad();
  tape_.backward(loss);
  if (clip_ > 0) {  // the norm comes with the clipping; a non-finite one skips the update
    s.grad_norm = nn::clip_grad_norm(optimizer_->parameters(), clip_);
    s.skipped = !std::isfinite(s.grad_norm);
  }  // without clipping nothing reads the whole gradient an extra time (grad_norm stays 0: not measured)
  if (!s.skipped) optimizer_->step();
  return s;
}

StepStats Stepper::train(const StreamWindow& w, Rng& rng) {
  RNNLM& m = model_.rnn();
  m.train();
  tape_.clear();
  const RNNLM::Output& out = m.forward(tape_, w.inputs, w.targets, w.steps, w.batch, carried_state(), rng);
  const StepStats s = finish_training(out.loss, w.steps * w.batch);
  keep_state(out.final_states);
  return s;
}

StepStats Stepper::evaluate(const StreamWindow& w) {
  RNNLM& m = model_.rnn();
  m.eval();
  tape_.clear();
  NoGradGuard no_grad(tape_);
  const RNNLM::Output& out = m.forward(tape_, w.inputs, w.targets, w.steps, w.batch, carried_state(), no_dropout_);
  keep_state(out.final_states);
  return {out.loss.item(), 0.0, w.steps * w.batch, false};
}

StepStats Stepper::train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng) {
  WindowLM& m = model_.window();
  m.train();
  tape_.clear();
  const auto n = static_cast<index_t>(targets.size());
  const WindowLM::Output out = m.forward(tape_, contexts, targets, n, rng);
  return finish_training(out.loss, n);
}

StepStats Stepper::evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets) {
  WindowLM& m = model_.window();
  m.eval();
  tape_.clear();
  NoGradGuard no_grad(tape_);
  const auto n = static_cast<index_t>(targets.size());
  const WindowLM::Output out = m.forward(tape_, contexts, targets, n, no_dropout_);
  return {out.loss.item(), 0.0, n, false};
}

}  // namespace tapegrad::lm
