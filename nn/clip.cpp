// Global-norm gradient clipping (formulas in clip.hpp).
#include "nn/clip.hpp"

#include <cmath>
#include <utility>
#include <sstream>

#include "ops/error.hpp"

namespace tapegrad::nn {

double grad_norm(std::span<Parameter* const> params) {
  // ‖g‖² = Σ_params Σ_i g_i², in double and in list order: the same gradients give the same bits.
  double sum_sq = 0.0;
  for (const Parameter* p : params) {
    if (p == nullptr) throw UsageError("grad_norm: the parameter list holds a null pointer");
    const float* g = std::as_const(*p).grad().data();
    // Only the ranges that may be non-zero (an embedding's used rows): skipping exact zeros leaves the sum unchanged.
    p->for_each_gradient_range([&](index_t first, index_t count) {
      for (index_t i = first; i < first + count; ++i) sum_sq += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    });
  }
  return std::sqrt(sum_sq);
}

double clip_grad_norm(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite) {
  if (!(max_norm > 0.0)) {  // also rejects NaN
    std::ostringstream msg;
    msg << "clip_grad_norm: max_norm = " << max_norm << " must be > 0";
    throw UsageError(msg.str());
  }
  const double norm = grad_norm(params);
  if (!std::isfinite(norm)) {
    if (error_if_nonfinite) {
      std::ostringstream msg;
      msg << "clip_grad_norm: the global gradient norm is " << norm << " (an inf or NaN in the gradients)";
      throw Error(msg.str());
    }
    return norm;  // documented: gradients untouched
  }
  if (norm > max_norm) {
    // g ← g · max_norm / (‖g‖ + 10⁻⁶)
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for (Parameter* p : params) {
      float* g = p->gradient_data();
      p->for_each_gradient_range([&](index_t first, index_t count) {
        for (index_t i = first; i < first + count; ++i) g[i] *= scale;
      });
    }
  }
  return norm;
}

}  // namespace tapegrad::nn
