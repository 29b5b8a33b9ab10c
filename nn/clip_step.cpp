// nn::clip_and_step: the norm pass of clipping, then one update that applies the clipping factor (see clip_step.hpp).
#include "nn/clip_step.hpp"

#include <cmath>

#include "nn/clip.hpp"

namespace tapegrad::nn {

double clip_and_step(Optimizer& optimizer, double max_norm, bool error_if_nonfinite) {
  const double norm = detail::norm_for_clipping(optimizer.parameters(), max_norm, error_if_nonfinite, "clip_and_step");
  if (!std::isfinite(norm)) return norm;  // no update: scaling by max_norm/inf would hide the problem
  if (norm > max_norm)
    optimizer.step_scaled(clip_factor(norm, max_norm));  // p ← update(g · max_norm / (‖g‖ + 10⁻⁶))
  else
    optimizer.step();  // within the bound: clipping changes nothing
  return norm;
}

}  // namespace tapegrad::nn
