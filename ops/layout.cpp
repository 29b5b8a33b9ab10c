// Data movement between matrices with different row strides (block copies, concat and slice along columns) and
// transposes. Rows (or tiles of rows) are independent, so OpenMP splits them above the size threshold.
#include "ops/layout.hpp"

#include <algorithm>
#include <cassert>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

// Square tile for transposes: 32×32 floats = 4 KiB read + 4 KiB written, both L1-resident.
constexpr index_t kTile = 32;

// dst[i] += src[i], i < n
void add_row(index_t n, const float* src, float* dst) {
  simd::for_each(
      n, [&](index_t c) { simd::store(dst + c, simd::load(dst + c) + simd::load(src + c)); },
      [&](index_t c) { dst[c] += src[c]; });
}

// One tile of a transpose: y[c,r] = x[r,c] (or += when Acc) for r in [r0, r1), c in [c0, c1).
template <bool Acc>
void transpose_tile(index_t rows, index_t cols, index_t r0, index_t c0, const float* x, float* y) {
  const index_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
  for (index_t c = c0; c < c1; ++c)
    for (index_t r = r0; r < r1; ++r) {
      if constexpr (Acc)
        y[c * rows + r] += x[r * cols + c];
      else
        y[c * rows + r] = x[r * cols + c];
    }
}

// x (rows×cols) → y (cols×rows) tile by tile; threads take bands of kTile rows of x.
template <bool Acc>
void transpose_tiled(index_t rows, index_t cols, const float* x, float* y) {
  if (rows == 0 || cols == 0) return;
  const index_t bands = (rows + kTile - 1) / kTile;
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t band = 0; band < bands; ++band)
    for (index_t c0 = 0; c0 < cols; c0 += kTile) transpose_tile<Acc>(rows, cols, band * kTile, c0, x, y);
}

}  // namespace

// dst[r, c] = src[r, c]
void copy_block(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst) {
  if (cols == 0) return;
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) std::copy(src + r * ld_src, src + r * ld_src + cols, dst + r * ld_dst);
}

// dst[r, c] += src[r, c]
void add_block_acc(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst) {
  if (cols == 0) return;
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) add_row(cols, src + r * ld_src, dst + r * ld_dst);
}

// y (rows×Σw) = [parts[0] | parts[1] | …], parts[p] being rows×widths[p]
void concat_cols(index_t rows, std::span<const float* const> parts, std::span<const index_t> widths, float* y) {
  assert(parts.size() == widths.size());
  index_t total = 0;
  for (index_t w : widths) total += w;
  if (rows == 0 || total == 0) return;
  const int threads = threads_for(rows * total);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    float* yr = y + r * total;
    for (std::size_t p = 0; p < parts.size(); ++p) {
      const float* src = parts[p] + r * widths[p];
      yr = std::copy(src, src + widths[p], yr);
    }
  }
}

// y (rows×width) = x (rows×cols)[:, begin : begin+width]
void slice_cols(index_t rows, index_t cols, index_t begin, index_t width, const float* x, float* y) {
  assert(begin >= 0 && width >= 0 && begin + width <= cols);
  if (rows == 0 || width == 0) return;
  copy_block(rows, width, x + begin, cols, y, width);
}

// gx (rows×cols)[:, begin : begin+width] += gy (rows×width)
void slice_cols_backward_acc(index_t rows, index_t cols, index_t begin, index_t width, const float* gy, float* gx) {
  assert(begin >= 0 && width >= 0 && begin + width <= cols);
  if (rows == 0 || width == 0) return;
  add_block_acc(rows, width, gy, width, gx + begin, cols);
}

// y[c,r] = x[r,c]
void transpose(index_t rows, index_t cols, const float* x, float* y) { transpose_tiled<false>(rows, cols, x, y); }

// y[c,r] += x[r,c]
void transpose_acc(index_t rows, index_t cols, const float* x, float* y) { transpose_tiled<true>(rows, cols, x, y); }

}  // namespace tapegrad::ops
