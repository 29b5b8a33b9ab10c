// Row-wise softmax and log-softmax (numerically stable: the row maximum is subtracted first), their backward rules,
// and the fused softmax + cross-entropy against integer targets that never materialises the probabilities.
#pragma once

#include <cstdint>

#include "ops/shape.hpp"

namespace tapegrad::ops {

// x, y (rows×cols):  y[r,c] = e^{x[r,c]} / Σ_j e^{x[r,j]}
void softmax_rows(index_t rows, index_t cols, const float* x, float* y);
// x, y (rows×cols):  y[r,c] = x[r,c] − log Σ_j e^{x[r,j]}
void log_softmax_rows(index_t rows, index_t cols, const float* x, float* y);
// y = softmax(x):  gx[r,:] += y[r,:] ⊙ (gy[r,:] − ⟨gy[r,:], y[r,:]⟩)
void softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx);
// y = log_softmax(x):  gx[r,:] += gy[r,:] − e^{y[r,:]} · Σ_j gy[r,j]
void log_softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx);

// logits (rows×cols), targets (rows, each in [0, cols)), loss and lse (rows):
//   lse[r] = log Σ_j e^{logits[r,j]},  loss[r] = lse[r] − logits[r, targets[r]]
void softmax_xent_forward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets, float* loss,
                          float* lse);
// gx[r,c] += scale · (e^{logits[r,c] − lse[r]} − [c == targets[r]])
// (scale = upstream gradient of each row's loss, e.g. g / rows for a mean)
void softmax_xent_backward_acc(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                               const float* lse, float scale, float* gx);
// The same written instead of added: gx[r,c] = scale · (e^{logits[r,c] − lse[r]} − [c == targets[r]]). gx may be
// logits itself (the gradient then replaces the logits, which are read once, element by element).
void softmax_xent_backward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                           const float* lse, float scale, float* gx);

}  // namespace tapegrad::ops
