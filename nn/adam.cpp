// Adam and AdamW: one update loop (over the whole block, or per parameter: see optimizer.hpp), the weight decay
// applied either to the gradient (Adam) or to the parameter (AdamW). Formulas in adam.hpp and above the loop. Built
// with -fno-math-errno (nn/CMakeLists.txt) so that the compiler may vectorise the square root; that flag changes no
// result, only whether sqrt of a negative sets errno.
#include "nn/adam.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace tapegrad::nn {

namespace {
AdamOptions as_adam(const AdamWOptions& o) { return {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay}; }
}  // namespace

Adam::Adam(std::vector<Parameter*> params, const AdamOptions& options)
    : Adam(std::move(params), options, false, "Adam") {}

Adam::Adam(std::vector<Parameter*> params, const AdamOptions& options, bool decoupled, std::string_view who)
    : Optimizer(std::move(params), options.lr, who), options_(options), decoupled_(decoupled) {
  const double inf = std::numeric_limits<double>::infinity();
  detail::check_range(who, "beta1", options.beta1, 0.0, 1.0, true);
  detail::check_range(who, "beta2", options.beta2, 0.0, 1.0, true);
  detail::check_range(who, "eps", options.eps, 0.0, inf, false);
  detail::check_range(who, "weight_decay", options.weight_decay, 0.0, inf, false);
  add_slot("exp_avg");
  add_slot("exp_avg_sq");
}

AdamW::AdamW(std::vector<Parameter*> params, const AdamWOptions& options)
    : Adam(std::move(params), as_adam(options), true, "AdamW") {}

std::map<std::string, double> Adam::hyperparameters() const {
  return {{"beta1", options_.beta1},
          {"beta2", options_.beta2},
          {"eps", options_.eps},
          {"weight_decay", options_.weight_decay}};
}

void Adam::update() {
  const double t = static_cast<double>(step_count());
  const float beta1 = options_.beta1, beta2 = options_.beta2, eps = options_.eps;
  const float lr = learning_rate();
  // The per-step scalars in double, rounded once: 1 − β₁ᵗ, and √(1 − β₂ᵗ).
  //   lr·m̂/(√v̂ + ε) = (lr/(1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
  const float step_size = static_cast<float>(static_cast<double>(lr) / (1.0 - std::pow(double{beta1}, t)));
  const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(double{beta2}, t)));
  // Adam adds wd·p to the gradient; AdamW multiplies p by (1 − lr·wd) before the update.
  const float l2 = decoupled_ ? 0.0f : options_.weight_decay;
  const float shrink = decoupled_ ? 1.0f - lr * options_.weight_decay : 1.0f;

  float* m_all = state_slots()[0].values().data();
  float* v_all = state_slots()[1].values().data();
  for_each_segment([&](const Segment& s) {
    float* p = s.value;
    const float* grad = s.grad;
    float* m = m_all + s.state_offset;
    float* v = v_all + s.state_offset;
    // p ← p·(1 − lr·wd_decoupled);  g ← ∇p + wd_L2·p
    // m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
    // p ← p − (lr / (1 − β₁ᵗ))·m / (√v·(1/√(1 − β₂ᵗ)) + ε)
    for (index_t i = 0; i < s.n; ++i) {
      const float g = grad[i] + l2 * p[i];
      const float pi = shrink * p[i];
      m[i] = beta1 * m[i] + (1.0f - beta1) * g;
      v[i] = beta2 * v[i] + (1.0f - beta2) * (g * g);
      p[i] = pi - step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
    }
  });
}

}  // namespace tapegrad::nn
