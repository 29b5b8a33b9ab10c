// Global-norm gradient clipping (formulas in clip.hpp), over a block's flat gradient buffer or parameter by parameter.
#include "nn/clip.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
// f(g, count) for every range of gradient values that may be non-zero, in list order: ranges of the block's buffer
// when `params` is exactly a current block, else each parameter's own ranges.
template <class F>
void for_each_gradient_run(std::span<Parameter* const> params, F&& f) {
  ParameterBlock* block = params.empty() || params.front() == nullptr ? nullptr : params.front()->block();
  if (block != nullptr && block->holds(params)) {
    float* g = block->gradients().data();
    block->for_each_gradient_range([&](index_t first, index_t count) { f(g + first, count); });
    return;
  }
  for (Parameter* p : params) {
    float* g = p->gradient_data();
    p->for_each_gradient_range([&](index_t first, index_t count) { f(g + first, count); });
  }
}

void check_parameters(std::span<Parameter* const> params) {
  for (const Parameter* p : params)
    if (p == nullptr) throw UsageError("grad_norm: the parameter list holds a null pointer");
}

void check_max_norm(double max_norm) {
  if (!(max_norm > 0.0)) {  // also rejects NaN
    std::ostringstream msg;
    msg << "clip_grad_norm: max_norm = " << max_norm << " must be > 0";
    throw UsageError(msg.str());
  }
}

// ‖g‖² = Σ g_i² over the runs, in double and in order: the same gradients give the same bits. Skipping exact
// zeros (untouched embedding rows) leaves the sum unchanged.
template <class ForEachRun>
double norm_of(ForEachRun&& for_each_run) {
  double sum_sq = 0.0;
  for_each_run([&](const float* g, index_t count) {
    for (index_t i = 0; i < count; ++i) sum_sq += static_cast<double>(g[i]) * static_cast<double>(g[i]);
  });
  return std::sqrt(sum_sq);
}

// The clipping rule of clip.hpp over the runs of for_each_run.
template <class ForEachRun>
double clip(ForEachRun&& for_each_run, double max_norm, bool error_if_nonfinite) {
  const double norm = norm_of(for_each_run);
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
    for_each_run([&](float* g, index_t count) {
      for (index_t i = 0; i < count; ++i) g[i] *= scale;
    });
  }
  return norm;
}

void check_current(const ParameterBlock& block, const char* who) {
  if (!block.current())
    throw UsageError(std::string(who) + ": the block is superseded (its parameters were packed into another one)");
}
}  // namespace

double grad_norm(std::span<Parameter* const> params) {
  check_parameters(params);
  return norm_of([&](auto&& f) { for_each_gradient_run(params, f); });
}

double grad_norm(const ParameterBlock& block) {
  check_current(block, "grad_norm");
  const float* g = block.gradients().data();
  return norm_of(
      [&](auto&& f) { block.for_each_gradient_range([&](index_t first, index_t count) { f(g + first, count); }); });
}

double clip_grad_norm(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite) {
  check_max_norm(max_norm);
  check_parameters(params);
  return clip([&](auto&& f) { for_each_gradient_run(params, f); }, max_norm, error_if_nonfinite);
}

double clip_grad_norm(ParameterBlock& block, double max_norm, bool error_if_nonfinite) {
  check_max_norm(max_norm);
  check_current(block, "clip_grad_norm");
  float* g = block.gradients().data();
  return clip(
      [&](auto&& f) { block.for_each_gradient_range([&](index_t first, index_t count) { f(g + first, count); }); },
      max_norm, error_if_nonfinite);
}

}  // namespace tapegrad::nn
