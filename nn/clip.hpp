// Gradient clipping by the global L2 norm (Pascanu et al. 2013), as torch.nn.utils.clip_grad_norm_ does it: all
// gradients of all parameters are seen as one long vector g, and
//
//   ‖g‖ = √(Σ_params Σ_i g_i²)       (in double, the additions placed by position in the list: ops::SumOfSquares)
//   if ‖g‖ > max_norm:  g ← g · max_norm / (‖g‖ + 10⁻⁶)
//
// so the direction of the step is kept and only its length is capped (exploding gradients in RNNs).
//
//   const double norm = nn::clip_grad_norm(optim.parameters(), 5.0);   // the norm before clipping, for logging
//
// When the list is exactly a current ParameterBlock (that of a packed model), the sum and the scaling run over the
// block's gradient buffer; otherwise parameter by parameter. Either way only the ranges that may be non-zero are
// visited (an embedding's touched rows), and the sum's order depends only on each value's position in the list, so
// both give the same bits, for any thread count (threads split the sum into fixed chunks, and the scaling).
//
// Non-finite norm (an inf or NaN somewhere in the gradients): the gradients are left untouched and the non-finite
// norm is returned, so the caller can skip the step (std::isfinite(norm)) or stop; with error_if_nonfinite = true
// the call throws tapegrad::Error instead. (Scaling by max_norm/inf would turn finite gradients into 0 and infinite
// ones into NaN, which hides the problem.)
#pragma once

#include <span>
#include <string_view>

#include "nn/parameter.hpp"
#include "nn/parameter_block.hpp"

namespace tapegrad::nn {

// The factor clipping multiplies every gradient by when the norm exceeds max_norm: max_norm / (‖g‖ + 10⁻⁶), rounded to
// float once, so every user of it (clip_grad_norm, nn::clip_and_step) scales by the same bits.
inline float clip_factor(double norm, double max_norm) { return static_cast<float>(max_norm / (norm + 1e-6)); }

// g ← g · factor for every gradient value that may be non-zero, in float (the scaling clip_grad_norm does).
void scale_gradients(std::span<Parameter* const> params, float factor);

// The global L2 norm of the gradients, without changing them.
double grad_norm(std::span<Parameter* const> params);

// Scales the gradients down when their global norm exceeds max_norm and returns the norm before clipping.
// Throws UsageError unless max_norm > 0 (max_norm = +inf is allowed and never clips). nn::clip_and_step
// (nn/clip_step.hpp) does this and the optimizer's step together, in one pass fewer when the update rule allows.
double clip_grad_norm(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite = false);

namespace detail {
// The first half of clipping, shared with nn::clip_and_step: checks max_norm > 0 and the list (UsageError naming
// `who`), returns ‖g‖; a non-finite norm is returned, or thrown as Error when error_if_nonfinite.
double norm_for_clipping(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite,
                         std::string_view who);
}  // namespace detail

}  // namespace tapegrad::nn
