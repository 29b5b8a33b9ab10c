// Row-vector bias: broadcast-add over rows, and its backward, a column sum. The column sum keeps each column's
// running total in registers while walking the rows in order, so every column is summed the same way whatever the
// thread count (threads split the columns, never the rows).
#include "ops/bias.hpp"

#include <algorithm>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

// Columns per colsum task: 4 vectors of accumulators (64 columns with AVX-512).
constexpr index_t kColVectors = 4;
constexpr index_t kColChunk = kColVectors * simd::kWidth;

// y[c] += Σ_r x[r,c] for c in [c0, c0 + kColChunk): a full chunk, accumulators in registers.
void colsum_chunk(index_t rows, index_t cols, index_t c0, const float* x, float* y) {
  vfloat acc[kColVectors];
  for (auto& a : acc) a = simd::broadcast(0.0f);
  for (index_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols + c0;
    for (index_t v = 0; v < kColVectors; ++v) acc[v] = acc[v] + simd::load(row + v * simd::kWidth);
  }
  for (index_t v = 0; v < kColVectors; ++v) {
    float* out = y + c0 + v * simd::kWidth;
    simd::store(out, simd::load(out) + acc[v]);
  }
}

// The same for a partial chunk of width < kColChunk (the right edge): one vector or one scalar column at a time.
void colsum_edge(index_t rows, index_t cols, index_t c0, index_t width, const float* x, float* y) {
  simd::for_each(
      width,
      [&](index_t i) {
        vfloat acc = simd::broadcast(0.0f);
        for (index_t r = 0; r < rows; ++r) acc = acc + simd::load(x + r * cols + c0 + i);
        simd::store(y + c0 + i, simd::load(y + c0 + i) + acc);
      },
      [&](index_t i) {
        float acc = 0.0f;
        for (index_t r = 0; r < rows; ++r) acc += x[r * cols + c0 + i];
        y[c0 + i] += acc;
      });
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

// x (rows×cols), y (cols):  y[c] += Σ_r x[r,c], each column summed from 0 over r in order, then added to y[c]
void colsum_acc(index_t rows, index_t cols, const float* x, float* y) {
  if (rows == 0) return;  // nothing to add (and y stays bit-for-bit untouched)
  const index_t chunks = (cols + kColChunk - 1) / kColChunk;
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t k = 0; k < chunks; ++k) {
    const index_t c0 = k * kColChunk, width = std::min(kColChunk, cols - c0);
    if (width == kColChunk)
      colsum_chunk(rows, cols, c0, x, y);
    else
      colsum_edge(rows, cols, c0, width, x, y);
  }
}

}  // namespace tapegrad::ops
