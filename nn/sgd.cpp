// SGD: the update loop (formulas in sgd.hpp and below).
#include "nn/sgd.hpp"

#include <limits>
#include <utility>

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
  const std::vector<Parameter*>& params = parameters();
  for (std::size_t k = 0; k < params.size(); ++k) {
    float* p = params[k]->value().data();
    const float* grad = std::as_const(*params[k]).grad().data();
    const index_t n = params[k]->numel();
    if (mu == 0.0f && wd == 0.0f) {
      // p ← p − lr·∇p, only where ∇p may be non-zero (an embedding's used rows): elsewhere p − lr·0 = p
      params[k]->for_each_gradient_range([&](index_t first, index_t count) {
        for (index_t i = first; i < first + count; ++i) p[i] -= lr * grad[i];
      });
      continue;
    }
    if (mu == 0.0f) {
      // p ← p − lr·(∇p + wd·p)
      for (index_t i = 0; i < n; ++i) {
        const float g = grad[i] + wd * p[i];
        p[i] -= lr * g;
      }
      continue;
    }
    float* b = state_slots()[0].tensors[k].data();
    // g ← ∇p + wd·p;  b ← μ·b + g;  p ← p − lr·(nesterov ? g + μ·b : b)
    for (index_t i = 0; i < n; ++i) {
      const float g = grad[i] + wd * p[i];
      b[i] = mu * b[i] + g;
      const float d = nesterov ? g + mu * b[i] : b[i];
      p[i] -= lr * d;
    }
  }
}

}  // namespace tapegrad::nn
