// Data movement: strided blocks (concat and slice along the last dimension are block copies between matrices with
// different row strides) and transposes.
#pragma once

#include <span>

#include "ops/shape.hpp"

namespace tapegrad::ops {

// dst[r, c] = src[r, c] for r < rows, c < cols, rows strided by ld_src / ld_dst
void copy_block(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst);
// dst[r, c] += src[r, c]
void add_block_acc(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst);

// parts[p] (rows×widths[p]) → y (rows×Σwidths), side by side in order
void concat_cols(index_t rows, std::span<const float* const> parts, std::span<const index_t> widths, float* y);
// x (rows×cols) → y (rows×width) = x[:, begin : begin+width]
void slice_cols(index_t rows, index_t cols, index_t begin, index_t width, const float* x, float* y);
// gx (rows×cols)[:, begin : begin+width] += gy (rows×width)
void slice_cols_backward_acc(index_t rows, index_t cols, index_t begin, index_t width, const float* gy, float* gx);

// x (rows×cols) → y (cols×rows):  y[c,r] = x[r,c]
void transpose(index_t rows, index_t cols, const float* x, float* y);
// y[c,r] += x[r,c]
void transpose_acc(index_t rows, index_t cols, const float* x, float* y);

}  // namespace tapegrad::ops
