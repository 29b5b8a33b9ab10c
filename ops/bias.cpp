// Row-vector bias: broadcast-add over rows, and its backward, a column sum. The column sum keeps a block of columns'
// running totals in L1 while walking the rows in order, along their length, so every column is summed the same way
// whatever the thread count (threads split the columns, never the rows).
#include "ops/bias.hpp"

#include <omp.h>

#include <algorithm>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

// Columns per block of the column sum: the block's running totals (8 KB) stay in L1 while the rows stream past.
constexpr index_t kColBlock = 2048;
// Rows added to a vector of totals between its load and its store.
constexpr index_t kRowGroup = 4;

// y[c] += Σ_r x[r,c] for c in [c0, c0 + width), width ≤ kColBlock: the totals start at 0 in `total`, each row is added
// in order (a group of rows at a time per vector: ((t + x_r) + x_{r+1}) + …, the same additions), then y += total.
// The rows are read along their length, 8 KB at a time, which the prefetchers follow.
void colsum_block(index_t rows, index_t cols, index_t c0, index_t width, const float* x, float* y) {
  alignas(64) float total[kColBlock];
  for (index_t c = 0; c < width; ++c) total[c] = 0.0f;
  index_t r = 0;
  for (; r + kRowGroup <= rows; r += kRowGroup) {
    const float* x0 = x + r * cols + c0;
    simd::for_each(
        width,
        [&](index_t c) {
          vfloat t = simd::load(total + c);
          for (index_t g = 0; g < kRowGroup; ++g) t = t + simd::load(x0 + g * cols + c);
          simd::store(total + c, t);
        },
        [&](index_t c) {
          float t = total[c];
          for (index_t g = 0; g < kRowGroup; ++g) t += x0[g * cols + c];
          total[c] = t;
        });
  }
  for (; r < rows; ++r) {
    const float* xr = x + r * cols + c0;
    simd::for_each(
        width, [&](index_t c) { simd::store(total + c, simd::load(total + c) + simd::load(xr + c)); },
        [&](index_t c) { total[c] += xr[c]; });
  }
  simd::for_each(
      width, [&](index_t c) { simd::store(y + c0 + c, simd::load(y + c0 + c) + simd::load(total + c)); },
      [&](index_t c) { y[c0 + c] += total[c]; });
}

}  // namespace

// x, y (rows×cols), b (cols):  y[r,c] = x[r,c] + b[c]
void add_bias(index_t rows, index_t cols, const float* x, const float* b, float* y) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    simd::for_each(
        cols, [&](index_t c) { simd::store(yr + c, simd::load(xr + c) + simd::load(b + c)); },
        [&](index_t c) { yr[c] = xr[c] + b[c]; });
  }
}

// x (rows×cols), y (cols):  y[c] += Σ_r x[r,c], each column summed from 0 over r in order, then added to y[c].
// Each thread takes an equal share of the columns (whole vectors) and walks it in blocks of kColBlock.
void colsum_acc(index_t rows, index_t cols, const float* x, float* y) {
  if (rows == 0) return;  // nothing to add (and y stays bit-for-bit untouched)
  const int threads = threads_for(rows * cols);
  const index_t vectors = (cols + simd::kWidth - 1) / simd::kWidth;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    const index_t team = omp_get_num_threads(), me = omp_get_thread_num();
    const index_t begin = std::min(cols, vectors * me / team * simd::kWidth);
    const index_t end = std::min(cols, vectors * (me + 1) / team * simd::kWidth);
    for (index_t c0 = begin; c0 < end; c0 += kColBlock)
      colsum_block(rows, cols, c0, std::min(kColBlock, end - c0), x, y);
  }
}

}  // namespace tapegrad::ops
