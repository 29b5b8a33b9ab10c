// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with the update rules of torch.optim.Adam and
// torch.optim.AdamW. At step t (t = 1, 2, …), for each scalar of each parameter:
//
//   Adam:   g ← ∇p + wd·p                   (weight decay as an L2 term: it passes through the moment estimates)
//   AdamW:  p ← p − lr·wd·p                 (decoupled weight decay: shrinks p directly, then g ← ∇p)
//   both:   m ← β₁·m + (1 − β₁)·g           (first moment, "exp_avg", starts at 0)
//           v ← β₂·v + (1 − β₂)·g²          (second moment, "exp_avg_sq", starts at 0)
//           m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)      (bias correction: undoes the pull towards the zero start)
//           p ← p − lr·m̂ / (√v̂ + ε)
//
// With L2 decay the decay term is divided by √v̂ like the gradient, so parameters with large gradients are decayed
// less; decoupling applies the same relative shrink lr·wd to every parameter, which is why AdamW's wd is ~100×
// larger than Adam's for the same effect.
//
//   nn::Adam adam(model.parameters(), {.lr = 1e-3f});
//   nn::AdamW adamw(model.parameters(), {.lr = 1e-3f, .weight_decay = 0.01f});
#pragma once

#include "nn/optimizer.hpp"

namespace tapegrad::nn {

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;         // β₁ ∈ [0, 1)
  float beta2 = 0.999f;       // β₂ ∈ [0, 1)
  float eps = 1e-8f;          // ε ≥ 0
  float weight_decay = 0.0f;  // wd ≥ 0, as an L2 term
};

struct AdamWOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;  // wd ≥ 0, decoupled (torch.optim.AdamW's default)
};

class Adam : public Optimizer {
 public:
  // Throws UsageError for a setting out of range (named in the message).
  Adam(std::vector<Parameter*> params, const AdamOptions& options);

  const AdamOptions& options() const { return options_; }
  std::string_view kind() const override { return "adam"; }
  std::map<std::string, double> hyperparameters() const override;

 protected:
  Adam(std::vector<Parameter*> params, const AdamOptions& options, bool decoupled, std::string_view who);

 private:
  void update() override;

  AdamOptions options_;  // state slot 0 is "exp_avg" (m), slot 1 "exp_avg_sq" (v)
  bool decoupled_ = false;
};

class AdamW final : public Adam {
 public:
  AdamW(std::vector<Parameter*> params, const AdamWOptions& options);
  std::string_view kind() const override { return "adamw"; }
};

}  // namespace tapegrad::nn
