// Steppers: one training or evaluation step of a language model on one batch, with everything a step needs kept
// between steps — the tape (cleared, never reallocated), the hidden state carried from one window to the next
// (truncated BPTT: carried as values, so the gradient stops at the window's start), and the batch buffers.
//
// A training step is the whole of what the issue calls automatic BPTT:
//   forward over the window (the tape records every time step) → mean cross-entropy → tape.backward (the reverse
//   loop runs back through all T steps, summing each shared weight's per-step gradients) → clip the global norm →
//   optimizer step → carry the final state over.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "autograd/tape.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "nn/optimizer.hpp"

namespace tapegrad::lm {

struct StepStats {
  double loss = 0;       // mean cross-entropy of the batch, nats per token
  double grad_norm = 0;  // global L2 norm of the gradients before clipping (training with clipping)
  index_t tokens = 0;    // predictions in the batch
  bool skipped = false;  // training with clipping: a non-finite gradient norm; the parameters were left unchanged
};

class Stepper {
 public:
  // clip: maximum global gradient norm (0 = no clipping). The optimizer may be null for evaluation only.
  Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip);

  // Recurrent models: one window of the stream batches; the state carries over from the previous call.
  StepStats train(const StreamWindow& window, Rng& rng);
  StepStats evaluate(const StreamWindow& window);
  // Window models: a batch of contexts (n × context) and targets (n).
  StepStats train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng);
  StepStats evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets);

  // Forget the carried state (the next window starts from zeros), e.g. at the start of an epoch.
  void reset_state() { state_.clear(); }
  const std::vector<nn::CellStateValue>& state() const { return state_; }
  autograd::Tape& tape() { return tape_; }

 private:
  StepStats finish_training(autograd::Var loss, index_t tokens);
  std::span<const nn::CellState> carried_state();
  void keep_state(std::span<const nn::CellState> final_states);

  LanguageModel& model_;
  nn::Optimizer* optimizer_;
  float clip_;
  autograd::Tape tape_;
  std::vector<nn::CellStateValue> state_;  // per layer; empty = zeros
  std::vector<nn::CellState> initial_;     // scratch: the carried state as tape constants
  Rng no_dropout_{0};                      // evaluation draws nothing from it (dropout is off)
};

}  // namespace tapegrad::lm
