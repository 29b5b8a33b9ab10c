// Row-vector bias broadcast over the rows of a matrix, and its backward (a column sum).
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

// x, y (rows×cols), b (cols):  y[r,c] = x[r,c] + b[c]
void add_bias(index_t rows, index_t cols, const float* x, const float* b, float* y);
// x (rows×cols), y (cols):  y[c] += Σ_r x[r,c]   (rows summed in order: deterministic)
void colsum_acc(index_t rows, index_t cols, const float* x, float* y);

}  // namespace tapegrad::ops
