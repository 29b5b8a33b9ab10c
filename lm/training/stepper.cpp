// Stepper: backward, clipping and the optimizer step after the forward pass BatchForward records.
#include "lm/training/stepper.hpp"

#include <cmath>

#include "nn/clip_step.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using autograd::Var;

Stepper::Stepper(LanguageModel& model, nn::Optimizer* optimizer, float clip)
    : forward_(model), optimizer_(optimizer), clip_(clip) {}

Stepper::~Stepper() = default;

void Stepper::set_data_parallel(nn::Communicator& comm, nn::ReducerOptions options) {
  comm_ = &comm;
  reducer_.reset();
  if (comm.size() == 1) return;
  nn::ParameterBlock* block = forward_.model().module().parameter_block();
  if (block == nullptr)
    throw UsageError("data-parallel training needs the model's parameters packed into one block "
                     "(Module::pack_parameters)");
  reducer_ = std::make_unique<nn::GradientReducer>(comm, *block, options);
}

void Stepper::backward(Var loss, double share) {
  if (reducer_) reducer_->prepare(forward_.tape());
  const float seed = static_cast<float>(share);  // ∂J/∂loss: this rank's part of the global mean (1 alone)
  forward_.tape().backward(loss, ConstTensorView{&seed, Shape::scalar()});
  if (reducer_) finish_sums();
}

void Stepper::finish_sums() {
  reducer_->finish();
  const nn::ReducerStats& last = reducer_->last_step();
  communication_.dense_floats += last.dense_floats;
  communication_.row_floats += last.row_floats;
  communication_.buckets += last.buckets;
  communication_.buckets_overlapped += last.buckets_overlapped;
  communication_.backward_left_at_first_sum += last.backward_left_at_first_sum;
}

StepStats Stepper::update(StepStats s) {
  if (reducer_) {  // the global batch's mean loss: Σ loss_r·tokens_r / Σ tokens_r
    double sums[2] = {s.loss * static_cast<double>(s.tokens), static_cast<double>(s.tokens)};
    comm_->allreduce_sum(std::span<double>(sums));
    s.tokens = static_cast<index_t>(sums[1]);
    s.loss = sums[1] > 0 ? sums[0] / sums[1] : 0.0;
  }
  if (clip_ > 0) {  // the norm comes with the clipping; a non-finite one skips the update (clip_and_step makes none)
    s.grad_norm = nn::clip_and_step(*optimizer_, clip_);  // clip_grad_norm + step, one pass fewer for plain SGD
    s.skipped = !std::isfinite(s.grad_norm);
  } else {  // without clipping nothing reads the whole gradient an extra time (grad_norm stays 0: not measured)
    optimizer_->step();
  }
  return s;
}

StepStats Stepper::finish_training(Var loss, index_t tokens, double share) {
  if (!optimizer_) throw UsageError("Stepper::train: this stepper has no optimizer (evaluation only)");
  StepStats s;
  s.loss = loss.item();
  s.tokens = tokens;
  optimizer_->zero_grad();
  backward(loss, share);
  return update(s);
}

StepStats Stepper::train_nothing() {
  if (!optimizer_) throw UsageError("Stepper::train: this stepper has no optimizer (evaluation only)");
  if (!reducer_) throw UsageError("Stepper::train_nothing: only a rank of a data-parallel run has nothing to train on");
  forward_.tape().clear();
  optimizer_->zero_grad();
  reducer_->prepare(forward_.tape());
  finish_sums();
  return update(StepStats{});
}

StepStats Stepper::train(const StreamWindow& w, Rng& rng, double share) {
  const RNNLM::Output& out = forward_.record(w, rng);
  const StepStats s = finish_training(out.loss, w.steps * w.batch, share);
  forward_.carry(out.final_states);
  return s;
}

StepStats Stepper::train(std::span<const std::int32_t> contexts, std::span<const std::int32_t> targets, Rng& rng,
                         double share) {
  const Var loss = forward_.record(contexts, targets, rng);
  return finish_training(loss, static_cast<index_t>(targets.size()), share);
}

}  // namespace tapegrad::lm
