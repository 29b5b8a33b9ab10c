// Reductions. Sums run over fixed blocks whose partial sums are combined in order, so the result does not depend
// on the thread count.
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

float sum(index_t n, const float* x);   // Σ x   (0 for n = 0)
float mean(index_t n, const float* x);  // Σ x / n   (throws UsageError for n = 0)

}  // namespace tapegrad::ops
