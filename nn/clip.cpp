// Global-norm gradient clipping (formulas in clip.hpp), over the runs of gradient values that may be non-zero: one
// run per stretch of a block's flat gradient buffer, or parameter by parameter (nn::for_each_gradient_run).
#include "nn/clip.hpp"

#include <cmath>
#include <sstream>

#include "ops/elementwise.hpp"
#include "ops/error.hpp"
#include "ops/reduce.hpp"

namespace tapegrad::nn {

namespace {

void check_parameters(std::span<Parameter* const> params) {
  for (const Parameter* p : params)
    if (p == nullptr) throw UsageError("grad_norm: the parameter list holds a null pointer");
}

// ‖g‖² = Σ g_i² over the runs, in double, by ops::SumOfSquares: its additions are placed by each value's position
// in the parameter list, so the same gradients give the same bits packed in a block or parameter by parameter, for
// any thread count. Skipping the exact zeros (untouched embedding rows) leaves the sum unchanged.
double norm_of(std::span<Parameter* const> params) {
  ops::SumOfSquares squares;
  for_each_gradient_run(params,
                        [&](float*, const float* g, index_t offset, index_t count) { squares.add(g, offset, count); });
  return std::sqrt(squares.total());
}

}  // namespace

void scale_gradients(std::span<Parameter* const> params, float factor) {
  check_parameters(params);
  for_each_gradient_run(params, [&](float*, float* g, index_t, index_t count) { ops::scale(count, factor, g, g); });
}

double grad_norm(std::span<Parameter* const> params) {
  check_parameters(params);
  return norm_of(params);
}

namespace detail {
double norm_for_clipping(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite,
                         std::string_view who) {
  if (!(max_norm > 0.0)) {  // also rejects NaN
    std::ostringstream msg;
    msg << who << ": max_norm = " << max_norm << " must be > 0";
    throw UsageError(msg.str());
  }
  check_parameters(params);
  const double norm = norm_of(params);
  if (!std::isfinite(norm) && error_if_nonfinite) {
    std::ostringstream msg;
    msg << who << ": the global gradient norm is " << norm << " (an inf or NaN in the gradients)";
    throw Error(msg.str());
  }
  return norm;
}
}  // namespace detail

double clip_grad_norm(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite) {
  const double norm = detail::norm_for_clipping(params, max_norm, error_if_nonfinite, "clip_grad_norm");
  if (!std::isfinite(norm)) return norm;  // documented: gradients untouched
  // g ← g · max_norm / (‖g‖ + 10⁻⁶)
  if (norm > max_norm) scale_gradients(params, clip_factor(norm, max_norm));
  return norm;
}

}  // namespace tapegrad::nn
