// Pointwise nonlinearities and their backward rules. Backward kernels take whichever of x (input) or y (output)
// the derivative is cheapest in, and add into gx.
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

void tanh(index_t n, const float* x, float* y);     // y = tanh(x)
void sigmoid(index_t n, const float* x, float* y);  // y = σ(x) = 1 / (1 + e^{−x})
void relu(index_t n, const float* x, float* y);     // y = max(x, 0)
void exp(index_t n, const float* x, float* y);      // y = e^x
void log(index_t n, const float* x, float* y);      // y = ln x

void tanh_backward_acc(index_t n, const float* y, const float* gy, float* gx);     // gx += gy ⊙ (1 − y²)
void sigmoid_backward_acc(index_t n, const float* y, const float* gy, float* gx);  // gx += gy ⊙ y ⊙ (1 − y)
void relu_backward_acc(index_t n, const float* x, const float* gy, float* gx);     // gx += gy ⊙ [x > 0]
// exp and log need no kernels of their own: gx += gy ⊙ y is mul_acc, gx += gy ⊘ x is div_acc.

}  // namespace tapegrad::ops
