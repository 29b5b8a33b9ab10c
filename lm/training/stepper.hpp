// Stepper: one training step of a language model on one batch — the forward pass recorded by BatchForward
// (lm/neural/batch_forward.hpp, which also keeps the tape and the carried state between steps), then the update.
//
// A training step is backpropagation through time (BPTT) without any code that knows about time steps — the tape
// does it by itself:
//   forward over the window (the tape records every time step) → mean cross-entropy → tape.backward (the reverse
//   loop runs back through all T steps, summing each shared weight's per-step gradients) → clip the global norm and
//   step the optimizer (nn::clip_and_step: one pass fewer over the parameters for plain SGD) → carry the final state
//   over.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lm/neural/batch_forward.hpp"
#include "nn/optimizer.hpp"

namespace tapegrad::lm {

class Stepper {
 public:
  // clip: maximum global gradient norm (0 = no clipping). The optimizer may be null for evaluation only.
  Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip);

  // Recurrent models: one window of the stream batches; the state carries over from the previous call.
  StepStats train(const StreamWindow& window, Rng& rng);
  StepStats evaluate(const StreamWindow& window) { return forward_.evaluate(window); }
  // Window models: a batch of contexts (n × context) and targets (n).
  StepStats train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng);
  StepStats evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets) {
    return forward_.evaluate(contexts, targets);
  }

  // Forget the carried state (the next window starts from zeros), e.g. at the start of an epoch.
  void reset_state() { forward_.reset_state(); }
  const std::vector<nn::CellStateValue>& state() const { return forward_.state(); }
  autograd::Tape& tape() { return forward_.tape(); }

 private:
  StepStats finish_training(autograd::Var loss, index_t tokens);

  BatchForward forward_;
  nn::Optimizer* optimizer_;
  float clip_;
};

}  // namespace tapegrad::lm
