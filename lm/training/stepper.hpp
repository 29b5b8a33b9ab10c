// Stepper: one training step of a language model on one batch — the forward pass recorded by BatchForward
// (lm/neural/batch_forward.hpp, which also keeps the tape and the carried state between steps), then the update.
//
// A training step is backpropagation through time (BPTT) without any code that knows about time steps — the tape
// does it by itself:
//   forward over the window (the tape records every time step) → mean cross-entropy → tape.backward (the reverse
//   loop runs back through all T steps, summing each shared weight's per-step gradients) → clip the global norm and
//   step the optimizer (nn::clip_and_step: one pass fewer over the parameters for plain SGD) → carry the final state
//   over.
//
// Data-parallel (a Communicator of several ranks, lm/training/trainer.hpp): the batch is this rank's share of the
// global batch. Backward is seeded with `share` — this rank's tokens over the global batch's — instead of 1, so that
// the gradients summed over the ranks (nn::GradientReducer, which starts summing during backward) are the gradient
// of the global mean loss; the loss and token count returned are the global batch's. Clipping and the update then
// see the same gradients on every rank and leave the same parameters.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <memory>

#include "lm/neural/batch_forward.hpp"
#include "nn/distributed/gradient_reducer.hpp"
#include "nn/optimizer.hpp"

namespace tapegrad::lm {

class Stepper {
 public:
  // clip: maximum global gradient norm (0 = no clipping). The optimizer may be null for evaluation only.
  Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip);
  ~Stepper();
  // Trains as one of comm's ranks (nothing changes with a single process). Throws UsageError for a model that is
  // not packed into one parameter block.
  void set_data_parallel(nn::Communicator& comm, nn::ReducerOptions options = {});

  // Recurrent models: one window of the stream batches; the state carries over from the previous call.
  // share: this rank's part of the global batch's tokens (1 for a single process).
  StepStats train(const StreamWindow& window, Rng& rng, double share = 1.0);
  StepStats evaluate(const StreamWindow& window) { return forward_.evaluate(window); }
  // Window models: a batch of contexts (n × context) and targets (n).
  StepStats train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng,
                  double share = 1.0);
  // Data-parallel, a rank whose share of the global batch is empty: takes part in the sums with zero gradients and
  // makes the same update as the others.
  StepStats train_nothing();
  StepStats evaluate(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets) {
    return forward_.evaluate(contexts, targets);
  }

  // Forget the carried state (the next window starts from zeros), e.g. at the start of an epoch.
  void reset_state() { forward_.reset_state(); }
  const std::vector<nn::CellStateValue>& state() const { return forward_.state(); }
  autograd::Tape& tape() { return forward_.tape(); }
  // Data-parallel: what the gradient sums of every step so far sent, added up, fields and all (zero for a single
  // process).
  const nn::ReducerStats& communication() const { return communication_; }

 private:
  StepStats finish_training(autograd::Var loss, index_t tokens, double share);
  void backward(autograd::Var loss, double share);  // with the gradient sums when data-parallel
  void finish_sums();                                 // completes them, and counts what they sent
  StepStats update(StepStats s);                      // global loss (data-parallel), clipping, the optimizer step

  BatchForward forward_;
  nn::Optimizer* optimizer_;
  float clip_;
  nn::Communicator* comm_ = nullptr;  // data-parallel only
  std::unique_ptr<nn::GradientReducer> reducer_;
  nn::ReducerStats communication_;
};

}  // namespace tapegrad::lm
