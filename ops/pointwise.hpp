// Internal to ops/: the loop every pointwise kernel shares (elementwise.cpp, activation.cpp). A kernel is one generic
// lambda, run on simd::vfloat over whole vectors and on float over the tail; large arrays are cut into fixed blocks
// shared out by OpenMP.
#pragma once

#include <algorithm>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops::pointwise {

// Elements per parallel block: a multiple of every SIMD width, so only the last block has a scalar tail and each
// element takes the same path (vector or scalar) whatever the thread count.
inline constexpr index_t kBlock = 4096;

// body(begin, count) over [0, n) in blocks of kBlock; threads take contiguous runs of blocks (static schedule).
template <class Body>
void for_blocks(index_t n, Body&& body) {
  const index_t blocks = (n + kBlock - 1) / kBlock;
  const int threads = threads_for(n);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t b = 0; b < blocks; ++b) body(b * kBlock, std::min(kBlock, n - b * kBlock));
}

// y[i] = f(in[i]...) for every input pointer in `in`; f is generic over float and simd::vfloat.
template <class F, class... In>
void map(index_t n, float* y, F f, const In*... in) {
  for_blocks(n, [&](index_t lo, index_t len) {
    float* yb = y + lo;
    simd::for_each(
        len, [&](index_t i) { simd::store(yb + i, f(simd::load(in + lo + i)...)); },
        [&](index_t i) { yb[i] = f(in[lo + i]...); });
  });
}

}  // namespace tapegrad::ops::pointwise
