// SGD: the update loops (formulas in sgd.hpp and above each loop), over one flat segment or one per parameter.
#include "nn/sgd.hpp"

#include <limits>
#include <utility>

#include "ops/elementwise.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

SGD::SGD(std::vector<Parameter*> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options) {
  const double inf = std::numeric_limits<double>::infinity();
  detail::check_range("SGD", "momentum", options.momentum, 0.0, 1.0, true);
  detail::check_range("SGD", "weight_decay", options.weight_decay, 0.0, inf, false);
  if (options.nesterov && options.momentum == 0.0f)
    throw UsageError("SGD: nesterov = true needs momentum > 0 (Nesterov momentum without momentum is plain SGD)");
  if (options.momentum > 0.0f) add_slot("momentum_buffer");
}

std::map<std::string, double> SGD::hyperparameters() const {
  return {{"momentum", options_.momentum},
          {"weight_decay", options_.weight_decay},
          {"nesterov", options_.nesterov ? 1.0 : 0.0}};
}

void SGD::update() {
  const float lr = learning_rate();
  const float mu = options_.momentum;
  const float wd = options_.weight_decay;
  const bool nesterov = options_.nesterov;
  if (mu == 0.0f && wd == 0.0f) {
    // p ← p − lr·∇p, only where ∇p may be non-zero (an embedding's used rows): elsewhere p − lr·0 = p. Written
    // p + (−lr)·∇p, the same bits (negation is exact), by ops::axpy: vectorized, threads on long segments.
    for_each_gradient_segment([&](const Segment& s) { ops::axpy(s.n, -lr, s.grad, s.value); });
    return;
  }
  if (mu == 0.0f) {
    // p ← p − lr·(∇p + wd·p)
    for_each_segment([&](const Segment& s) {
      float* p = s.value;
      for (index_t i = 0; i < s.n; ++i) {
        const float g = s.grad[i] + wd * p[i];
        p[i] -= lr * g;
      }
    });
    return;
  }
  float* momentum = state_slots()[0].values().data();
  // g ← ∇p + wd·p;  b ← μ·b + g;  p ← p − lr·(nesterov ? g + μ·b : b)
  for_each_segment([&](const Segment& s) {
    float* p = s.value;
    float* b = momentum + s.state_offset;
    for (index_t i = 0; i < s.n; ++i) {
      const float g = s.grad[i] + wd * p[i];
      b[i] = mu * b[i] + g;
      const float d = nesterov ? g + mu * b[i] : b[i];
      p[i] -= lr * d;
    }
  });
}

void SGD::update_scaled(float grad_scale) {
  if (options_.momentum != 0.0f || options_.weight_decay != 0.0f) {  // g is read in more than one place: scale it
    Optimizer::update_scaled(grad_scale);
    return;
  }
  const float lr = learning_rate();
  // p ← p − lr·(∇p·s): the product ∇p·s is rounded to float (what clipping would have stored in the gradient), then
  // the very expression of update() above, so the bits are those of clipping followed by step().
  for_each_gradient_segment([&](const Segment& s) { ops::scaled_axpy(s.n, -lr, grad_scale, s.grad, s.value); });
}

}  // namespace tapegrad::nn
