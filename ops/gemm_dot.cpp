// GEMM as dot products, for C = A·Bᵀ with A not transposed (both operands have their k values contiguous):
//   C[i, j] = α · Σ_p A[i, p] · B[j, p] + β · C[i, j] (+ bias[j])
// A tile of kRows rows of A and kCols rows of B keeps kRows·kCols vector accumulators, each summing kW lanes of p;
// at the end each is reduced to one number and the k tail (k mod kW) is added in order. Nothing is packed, which is
// what makes it the faster choice when C has few rows: the packed algorithm would transpose all of B to use each
// value only a few times. Every element is summed the same way wherever its tile sits (deterministic for any cut of
// C between threads).
#include <algorithm>
#include <array>
#include <utility>

#include "ops/gemm_internal.hpp"

namespace tapegrad::ops::gemm_detail {
namespace {

using simd::vfloat;

// A tile keeps kRows·kCols accumulators, kCols vectors of B and one of A in registers: 4×6 (31 of AVX-512's 32
// registers), 4×3 with the 16 of AVX2 (16; 4×6 there spills accumulators to the stack at every step).
#if defined(__AVX512F__)
constexpr int kRows = 4;  // rows of A (and of C) per tile
constexpr int kCols = 6;  // rows of B (columns of C) per tile
#else
constexpr int kRows = 4;
constexpr int kCols = 3;
#endif

template <int R, int S>
void dot_tile(index_t k, const float* a, index_t lda, const float* b, index_t ldb, float alpha, float beta,
              const float* bias, float* c, index_t ldc) {
  vfloat acc[R][S];
  for (auto& row : acc)
    for (auto& v : row) v = simd::broadcast(0.0f);
  index_t p = 0;
  // Four vector steps per iteration, as in the blocked micro-kernel (gemm_blocked.cpp): Zen 3, 20×200×800 (a batch-20
  // step's dX), ours / oneDNN within a round 1.08 → 1.10–1.13 in three alternating pairs. The sums are unchanged.
#pragma GCC unroll 4
  for (; p + kW <= k; p += kW) {
    vfloat bv[S];
    for (int s = 0; s < S; ++s) {
      bv[s] = simd::load(b + s * ldb + p);
      simd::pin(bv[s]);
    }
    for (int r = 0; r < R; ++r) {
      vfloat av = simd::load(a + r * lda + p);
      simd::pin(av);
      for (int s = 0; s < S; ++s) acc[r][s] = simd::fma(av, bv[s], acc[r][s]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s) {
      float sum = simd::hsum(acc[r][s]);
      for (index_t q = p; q < k; ++q) sum += a[r * lda + q] * b[s * ldb + q];
      float& out = c[r * ldc + s];
      const float add = bias ? bias[s] : 0.0f;
      out = beta == 0.0f ? alpha * sum + add : alpha * sum + (beta * out + add);
    }
}

using DotTile = void (*)(index_t, const float*, index_t, const float*, index_t, float, float, const float*, float*,
                         index_t);

// kTiles[r][s] handles an r × s tile (1 ≤ r ≤ kRows, 1 ≤ s ≤ kCols).
template <int R, int... S>
constexpr std::array<DotTile, kCols + 1> row_of_tiles(std::integer_sequence<int, S...>) {
  return {nullptr, dot_tile<R, S + 1>...};
}
constexpr std::array<DotTile, kCols + 1> kTiles[kRows + 1] = {
    {},
    row_of_tiles<1>(std::make_integer_sequence<int, kCols>{}),
    row_of_tiles<2>(std::make_integer_sequence<int, kCols>{}),
    row_of_tiles<3>(std::make_integer_sequence<int, kCols>{}),
    row_of_tiles<4>(std::make_integer_sequence<int, kCols>{})};
static_assert(kRows == 4, "kTiles lists one row of tiles per height 1…kRows");

}  // namespace

void dot_rect(const Problem& job, index_t i0, index_t i1, index_t j0, index_t j1) {
  // Rows of A in blocks that fit half the L2 (Problem::dot_a_bytes), so that a block is re-read from L2, not L3, for
  // every kCols rows of B: ops/gemm.cpp sends more than 32 rows here only when all of A fits, but 32 rows of a long
  // k may not (k = 4096: 512 KiB). Within a block, B rows outermost: kCols rows of B (a few KiB per k = 1000) stay in
  // L1 while the block's rows of A stream past from L2. The order of the tiles changes no sum.
  const index_t row_bytes = std::max<index_t>(1, job.k * static_cast<index_t>(sizeof(float)));
  const index_t block = std::max<index_t>(kRows, job.dot_a_bytes / row_bytes / kRows * kRows);
  for (index_t ib = i0; ib < i1; ib += block) {
    const index_t ie = std::min(i1, ib + block);
    for (index_t j = j0; j < j1; j += kCols) {
      const index_t s = std::min<index_t>(kCols, j1 - j);
      for (index_t i = ib; i < ie; i += kRows) {
        const index_t r = std::min<index_t>(kRows, ie - i);
        kTiles[r][s](job.k, job.a.data + i * job.a.ld, job.a.ld, job.b.data + j * job.b.ld, job.b.ld, job.alpha,
                     job.beta, job.bias ? job.bias + j : nullptr, job.c + i * job.ldc + j, job.ldc);
      }
    }
  }
}

}  // namespace tapegrad::ops::gemm_detail
