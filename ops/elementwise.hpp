// Elementwise kernels over n contiguous floats. Forward kernels overwrite y; kernels named *_acc add into y
// (backward rules accumulate gradients). In-place use (y == x or y == a) is allowed for forward kernels.
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

void add(index_t n, const float* a, const float* b, float* y);  // y = a + b
void sub(index_t n, const float* a, const float* b, float* y);  // y = a − b
void mul(index_t n, const float* a, const float* b, float* y);  // y = a ⊙ b
void div(index_t n, const float* a, const float* b, float* y);  // y = a ⊘ b
void neg(index_t n, const float* x, float* y);                  // y = −x
void scale(index_t n, float alpha, const float* x, float* y);   // y = α·x
void add_scalar(index_t n, float c, const float* x, float* y);  // y = x + c
void fill(index_t n, float value, float* y);                    // y = value

void axpy(index_t n, float alpha, const float* x, float* y);        // y += α·x
// y += α·(s·x), the product s·x rounded to float first (SGD's update by a clipped gradient: p += −lr·(g·s))
void scaled_axpy(index_t n, float alpha, float s, const float* x, float* y);
void mul_acc(index_t n, const float* a, const float* b, float* y);  // y += a ⊙ b
void div_acc(index_t n, const float* a, const float* b, float* y);  // y += a ⊘ b
void add_scalar_acc(index_t n, float c, float* y);                  // y += c
// Gradient of q = a ⊘ b with respect to b: gb −= gq ⊙ q ⊘ b   (since ∂q/∂b = −a/b² = −q/b)
void div_rhs_backward_acc(index_t n, const float* gq, const float* q, const float* b, float* gb);

}  // namespace tapegrad::ops
