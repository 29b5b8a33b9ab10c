// Scalar twins of every kernel in ops/: plain loops, no SIMD, no threads, written for obviousness rather than speed.
// The kernel tests compare each fast kernel against its twin here (sizes 0…70 and a few large ones).
// Signatures mirror the fast kernels one to one.
#pragma once

#include <cstdint>
#include <span>

#include "ops/shape.hpp"

namespace tapegrad::ops::ref {

void add(index_t n, const float* a, const float* b, float* y);
void sub(index_t n, const float* a, const float* b, float* y);
void mul(index_t n, const float* a, const float* b, float* y);
void div(index_t n, const float* a, const float* b, float* y);
void neg(index_t n, const float* x, float* y);
void scale(index_t n, float alpha, const float* x, float* y);
void add_scalar(index_t n, float c, const float* x, float* y);
void fill(index_t n, float value, float* y);
void axpy(index_t n, float alpha, const float* x, float* y);
void scaled_axpy(index_t n, float alpha, float s, const float* x, float* y);
void mul_acc(index_t n, const float* a, const float* b, float* y);
void div_acc(index_t n, const float* a, const float* b, float* y);
void add_scalar_acc(index_t n, float c, float* y);
void div_rhs_backward_acc(index_t n, const float* gq, const float* q, const float* b, float* gb);

void tanh(index_t n, const float* x, float* y);
void sigmoid(index_t n, const float* x, float* y);
void relu(index_t n, const float* x, float* y);
void exp(index_t n, const float* x, float* y);
void log(index_t n, const float* x, float* y);
void tanh_backward_acc(index_t n, const float* y, const float* gy, float* gx);
void sigmoid_backward_acc(index_t n, const float* y, const float* gy, float* gx);
void relu_backward_acc(index_t n, const float* x, const float* gy, float* gx);

void add_bias(index_t rows, index_t cols, const float* x, const float* b, float* y);
void colsum_acc(index_t rows, index_t cols, const float* x, float* y);

void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
          const float* b, index_t ldb, float beta, float* c, index_t ldc);

void softmax_rows(index_t rows, index_t cols, const float* x, float* y);
void log_softmax_rows(index_t rows, index_t cols, const float* x, float* y);
void softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx);
void log_softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx);
void softmax_xent_forward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets, float* loss,
                          float* lse);
void softmax_xent_backward_acc(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                               const float* lse, float scale, float* gx);
void softmax_xent_backward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                           const float* lse, float scale, float* gx);

void gather_rows(index_t n_ids, index_t cols, const float* table, const std::int32_t* ids, float* out);
void scatter_add_rows(index_t n_ids, index_t cols, const float* g_out, const std::int32_t* ids, float* g_table);

void copy_block(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst);
void add_block_acc(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst);
void concat_cols(index_t rows, std::span<const float* const> parts, std::span<const index_t> widths, float* y);
void slice_cols(index_t rows, index_t cols, index_t begin, index_t width, const float* x, float* y);
void slice_cols_backward_acc(index_t rows, index_t cols, index_t begin, index_t width, const float* gy, float* gx);
// Σ x_i² for the n floats at x, the elements offset … offset + n − 1 of a longer vector (the rest zeros), in the
// summation tree of ops::SumOfSquares (ops/reduce.hpp), written out position by position.
double sum_of_squares(index_t n, const float* x, index_t offset);

void transpose(index_t rows, index_t cols, const float* x, float* y);
void transpose_acc(index_t rows, index_t cols, const float* x, float* y);

void lstm_forward(index_t rows, index_t hidden, float* gates, const float* c_prev, float* c, float* tanh_c, float* h);
void lstm_backward(index_t rows, index_t hidden, const float* gates, const float* c_prev, const float* tanh_c,
                   const float* gh, const float* gc, float* dz, float* gc_prev);
void gru_gates_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* rh);
void gru_output_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* h);
void gru_output_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* gh,
                         float* da, float* gh_prev);
void gru_reset_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* g_rh,
                        float* da, float* gh_prev);
void gru_after_forward(index_t rows, index_t hidden, float* gates, const float* u, const float* h_prev, float* h);
void gru_after_backward(index_t rows, index_t hidden, const float* gates, const float* u, const float* h_prev,
                        const float* gh, float* da, float* du, float* gh_prev);

float sum(index_t n, const float* x);  // accumulated in double, then rounded: the accuracy yardstick
float mean(index_t n, const float* x);

}  // namespace tapegrad::ops::ref
