// BatchForward: forward passes of the recurrent and window language models, batch after batch, with the state carried.
#include "lm/neural/batch_forward.hpp"

#include <cstring>

namespace tapegrad::lm {

using autograd::NoGradGuard;
using autograd::Var;

BatchForward::BatchForward(LanguageModel& model) : model_(model) {
  tape_.set_lean(true);  // only the parameters' gradients are read: views share, the logits' gradient replaces them
}

std::span<const nn::CellState> BatchForward::carried_state() {
  initial_.clear();
  for (const nn::CellStateValue& v : state_) initial_.push_back(nn::to_state(tape_, v));
  return initial_;
}

// Copies the final states out of the tape (into the same tensors when the shapes repeat, as they do every step).
void BatchForward::carry(std::span<const nn::CellState> final_states) {
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

const RNNLM::Output& BatchForward::record(const StreamWindow& w, Rng& rng) {
  RNNLM& m = model_.rnn();
  m.train();
  tape_.clear();
  return m.forward(tape_, w.inputs, w.targets, w.steps, w.batch, carried_state(), rng);
}

Var BatchForward::record(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng) {
  WindowLM& m = model_.window();
  m.train();
  tape_.clear();
  return m.forward(tape_, contexts, targets, static_cast<index_t>(targets.size()), rng).loss;
}

StepStats BatchForward::evaluate(const StreamWindow& w) {
  RNNLM& m = model_.rnn();
  m.eval();
  tape_.clear();
  NoGradGuard no_grad(tape_);
  const RNNLM::Output& out = m.forward(tape_, w.inputs, w.targets, w.steps, w.batch, carried_state(), no_dropout_);
  carry(out.final_states);
  return {out.loss.item(), 0.0, w.steps * w.batch, false};
}

StepStats BatchForward::evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets) {
  WindowLM& m = model_.window();
  m.eval();
  tape_.clear();
  NoGradGuard no_grad(tape_);
  const auto n = static_cast<index_t>(targets.size());
  const WindowLM::Output out = m.forward(tape_, contexts, targets, n, no_dropout_);
  return {out.loss.item(), 0.0, n, false};
}

}  // namespace tapegrad::lm
