// Kernels for batches of sequences of different lengths, stored time-major and padded: x (T × B × H) holds step t of
// sequence b at row t·B + b, and only steps t < lengths[b] are real. They choose rows under a mask (a padded step
// keeps the previous state) and pool over each sequence's own steps (mean, max). Callers check the arguments.
#pragma once

#include <cstdint>

#include "ops/shape.hpp"

namespace tapegrad::ops {

// y[r,:] = take_a[r] ? a[r,:] : b[r,:]   for r < rows (a, b, y: rows × cols)
void where_rows(index_t rows, index_t cols, const std::int32_t* take_a, const float* a, const float* b, float* y);
// ga[r,:] += take_a[r] ? gy[r,:] : 0;  gb[r,:] += take_a[r] ? 0 : gy[r,:]   (ga or gb may be null: skipped)
void where_rows_backward(index_t rows, index_t cols, const std::int32_t* take_a, const float* gy, float* ga,
                         float* gb);

// Mean over each sequence's real steps: y[b,:] = (1/L_b) Σ_{t<L_b} x[t,b,:]   (x: T × B × H, y: B × H, 1 ≤ L_b ≤ T)
void time_mean(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, float* y);
// gx[t,b,:] += gy[b,:] / L_b  for t < L_b  (padded steps get nothing)
void time_mean_backward(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* gy, float* gx);

// Max over each sequence's real steps, per feature: y[b,h] = max_{t<L_b} x[t,b,h]
void time_max(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, float* y);
// gx[t*,b,h] += gy[b,h] at the first t* < L_b where x[t*,b,h] is the maximum (the subgradient PyTorch also uses)
void time_max_backward(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, const float* gy,
                       float* gx);

}  // namespace tapegrad::ops
