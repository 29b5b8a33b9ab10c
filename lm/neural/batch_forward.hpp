// BatchForward: a language model run over one batch at a time, with everything kept between batches — the tape
// (cleared, never reallocated), the hidden state carried from one window to the next (truncated BPTT: carried as
// values, so the gradient stops at the window's start), and the scratch buffers.
//
// Evaluation (evaluation mode, no gradients) is complete here: evaluate() gives a batch's mean loss, and perplexity
// (lm/neural/evaluate.hpp) sums them. Training builds on it (lm/training/stepper.hpp): record() puts the forward pass
// and the loss on the tape in training mode, the stepper runs backward and the update, and carry() then takes the
// final state over to the next window.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "autograd/tape.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"

namespace tapegrad::lm {

struct StepStats {
  double loss = 0;       // mean cross-entropy of the batch, nats per token
  double grad_norm = 0;  // global L2 norm of the gradients before clipping (training with clipping)
  index_t tokens = 0;    // predictions in the batch
  bool skipped = false;  // training with clipping: a non-finite gradient norm; the parameters were left unchanged
};

class BatchForward {
 public:
  explicit BatchForward(LanguageModel& model);

  // Evaluation mode, no gradients. Recurrent models: one window of the stream batches from the carried state, which
  // then carries over. Window models: a batch of contexts (n × context) and targets (n).
  StepStats evaluate(const StreamWindow& window);
  StepStats evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets);

  // Training mode: clears the tape and records the forward pass and the loss on it, dropout masks from rng.
  // Recurrent models start from the carried state; once the step is done with the tape, carry(out.final_states).
  const RNNLM::Output& record(const StreamWindow& window, Rng& rng);
  autograd::Var record(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng);
  // Copies the final states out of the tape: the next window starts from them.
  void carry(std::span<const nn::CellState> final_states);

  // Forget the carried state (the next window starts from zeros), e.g. at the start of an epoch.
  void reset_state() { state_.clear(); }
  const std::vector<nn::CellStateValue>& state() const { return state_; }
  autograd::Tape& tape() { return tape_; }
  LanguageModel& model() { return model_; }

 private:
  std::span<const nn::CellState> carried_state();

  LanguageModel& model_;
  autograd::Tape tape_;
  std::vector<nn::CellStateValue> state_;  // per layer; empty = zeros
  std::vector<nn::CellState> initial_;     // scratch: the carried state as tape constants
  Rng no_dropout_{0};                      // evaluation draws nothing from it (dropout is off)
};

}  // namespace tapegrad::lm
