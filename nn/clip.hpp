// Gradient clipping by the global L2 norm (Pascanu et al. 2013), as torch.nn.utils.clip_grad_norm_ does it: all
// gradients of all parameters are seen as one long vector g, and
//
//   ‖g‖ = √(Σ_params Σ_i g_i²)                         (accumulated in double, parameters in list order)
//   if ‖g‖ > max_norm:  g ← g · max_norm / (‖g‖ + 10⁻⁶)
//
// so the direction of the step is kept and only its length is capped (exploding gradients in RNNs).
//
//   const double norm = nn::clip_grad_norm(optim.parameters(), 5.0);   // the norm before clipping, for logging
//
// When the list is exactly a current ParameterBlock (that of a packed model), the sum and the scaling are single
// loops over the block's gradient buffer; otherwise loops per parameter. Either way only the ranges that may be
// non-zero are visited (an embedding's touched rows), in list order, so both give the same bits.
//
// Non-finite norm (an inf or NaN somewhere in the gradients): the gradients are left untouched and the non-finite
// norm is returned, so the caller can skip the step (std::isfinite(norm)) or stop; with error_if_nonfinite = true
// the call throws tapegrad::Error instead. (Scaling by max_norm/inf would turn finite gradients into 0 and infinite
// ones into NaN, which hides the problem.)
#pragma once

#include <span>

#include "nn/parameter.hpp"
#include "nn/parameter_block.hpp"

namespace tapegrad::nn {

// The global L2 norm of the gradients, without changing them.
double grad_norm(std::span<Parameter* const> params);

// Scales the gradients down when their global norm exceeds max_norm and returns the norm before clipping.
// Throws UsageError unless max_norm > 0 (max_norm = +inf is allowed and never clips).
double clip_grad_norm(std::span<Parameter* const> params, double max_norm, bool error_if_nonfinite = false);

}  // namespace tapegrad::nn
