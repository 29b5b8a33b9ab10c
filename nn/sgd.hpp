// SGD: stochastic gradient descent with optional momentum, L2 weight decay and Nesterov momentum, with the update
// rule of torch.optim.SGD (dampening 0), so hyperparameters carry over from papers and PyTorch code:
//
//   g ← ∇p + wd·p                       (weight decay as an L2 term added to the gradient)
//   b ← μ·b + g                         (momentum buffer, starts at 0, so b₁ = g₁)
//   d ← g + μ·b   if nesterov, else b   (plain SGD when μ = 0: d = g)
//   p ← p − lr·d
//
//   nn::SGD sgd(model.parameters(), {.lr = 1.0f});                          // Zaremba et al. 2014
//   nn::SGD sgd(model.parameters(), {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 1e-4f});
//
// Plain SGD (μ = 0, wd = 0) folds clipping's factor s into its loop (Optimizer::step_scaled, nn::clip_and_step):
// p ← p − lr·(g·s), with g·s rounded to float first exactly as clipping stores it, then the same p − lr·(…) as
// step(): one read of the gradients instead of a read-modify-write by clipping and a read by the update.
#pragma once

#include "nn/optimizer.hpp"

namespace tapegrad::nn {

struct SGDOptions {
  float lr = 0.1f;
  float momentum = 0.0f;      // μ ∈ [0, 1)
  float weight_decay = 0.0f;  // wd ≥ 0
  bool nesterov = false;      // needs μ > 0
};

class SGD final : public Optimizer {
 public:
  // Throws UsageError for a setting out of range (named in the message).
  SGD(std::vector<Parameter*> params, const SGDOptions& options);

  const SGDOptions& options() const { return options_; }
  std::string_view kind() const override { return "sgd"; }
  std::map<std::string, double> hyperparameters() const override;

 private:
  void update() override;
  void update_scaled(float grad_scale) override;

  SGDOptions options_;  // with μ > 0, state slot 0 is "momentum_buffer"
};

}  // namespace tapegrad::nn
