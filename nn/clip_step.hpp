// Gradient clipping and the optimizer's update as one call, so that the update rule may do both in fewer passes over
// memory. It means exactly
//
//   const double norm = nn::clip_grad_norm(optim.parameters(), max_norm, error_if_nonfinite);
//   if (std::isfinite(norm)) optim.step();
//   return norm;
//
// — the same parameters and optimizer state, bit for bit — but instead of clipping writing g·s into the gradients
// and the update reading them again, it computes the norm (pass 1, the same double sum in the same order as
// clip_grad_norm) and then hands the factor s = max_norm / (‖g‖ + 10⁻⁶) to Optimizer::step_scaled (pass 2). Plain
// SGD (the Zaremba setting: clip 5, lr 1) folds s into its own loop, p ← p − lr·(g·s), over the flat parameter
// block of a packed model or parameter by parameter; other rules scale the gradients and update as before.
//
//   const double norm = nn::clip_and_step(sgd, 5.0);   // the norm before clipping; not finite → no update made
//
// Differences from the composed form, by design: after a clipped step the gradients may be left unscaled (SGD does
// not write them); nothing of the trainer reads them before the next zero_grad. A non-finite norm leaves everything
// untouched (no update, step_count() unchanged) and is returned, or thrown as tapegrad::Error when error_if_nonfinite.
// Throws UsageError unless max_norm > 0 (+inf allowed: never clips).
#pragma once

#include "nn/optimizer.hpp"

namespace tapegrad::nn {

double clip_and_step(Optimizer& optimizer, double max_norm, bool error_if_nonfinite = false);

}  // namespace tapegrad::nn
