// Embedding lookup (row gather) and its backward (row scatter-add). The scatter must stay correct when ids repeat:
// two ids may name the same table row, so threads never split the ids; they split the columns, and each thread walks
// all ids in order over its own column range (deterministic, and no two threads write the same float).
#include "ops/gather.hpp"

#include <algorithm>
#include <cassert>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

// Columns per scatter task: a multiple of every SIMD width, so tails only occur at the right edge.
constexpr index_t kScatterChunk = 256;

}  // namespace

// out[i,:] = table[ids[i],:]
void gather_rows(index_t n_ids, index_t cols, const float* table, const std::int32_t* ids, float* out) {
  if (cols == 0) return;
  const int threads = threads_for(n_ids * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t i = 0; i < n_ids; ++i) {
    assert(ids[i] >= 0);
    const float* src = table + static_cast<index_t>(ids[i]) * cols;
    std::copy(src, src + cols, out + i * cols);
  }
}

// g_table[ids[i],:] += g_out[i,:] for i = 0, 1, … in order
void scatter_add_rows(index_t n_ids, index_t cols, const float* g_out, const std::int32_t* ids, float* g_table) {
  const index_t chunks = (cols + kScatterChunk - 1) / kScatterChunk;
  const int threads = threads_for(n_ids * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t k = 0; k < chunks; ++k) {
    const index_t c0 = k * kScatterChunk, width = std::min(kScatterChunk, cols - c0);
    for (index_t i = 0; i < n_ids; ++i) {
      assert(ids[i] >= 0);
      const float* src = g_out + i * cols + c0;
      float* dst = g_table + static_cast<index_t>(ids[i]) * cols + c0;
      simd::for_each(
          width, [&](index_t c) { simd::store(dst + c, simd::load(dst + c) + simd::load(src + c)); },
          [&](index_t c) { dst[c] += src[c]; });
    }
  }
}

}  // namespace tapegrad::ops
