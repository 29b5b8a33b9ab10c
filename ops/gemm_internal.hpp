// Internal to ops/gemm*.cpp: the problem description shared by the GEMM dispatcher and its two algorithms.
//   gemm_blocked.cpp — BLIS-style packed panels and register-tiled micro-kernels (most shapes);
//   gemm_dot.cpp     — dot products of contiguous rows, no packing (C = A·Bᵀ with few rows: the gradient of a
//                      recurrent step's input, dX = dZ·Wᵀ).
// The block sizes and the micro-tile are not constants: they come from the CPU (ops/gemm_blocking.hpp) through the
// GemmBlocking below, chosen once per process (ops/gemm.cpp) or set by a test.
#pragma once

#include <algorithm>

#include "ops/gemm.hpp"
#include "ops/gemm_blocking.hpp"
#include "ops/shape.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops::gemm_detail {

inline constexpr index_t kW = simd::kWidth;
// The micro-tiles compiled: up to kMaxRows rows × kMaxVectors vectors (the register file bounds both: 16 vector
// registers with AVX2 and SSE, 32 with AVX-512).
#if defined(__AVX512F__)
inline constexpr int kMaxRows = 12;
inline constexpr int kMaxVectors = 4;
#else
inline constexpr int kMaxRows = 8;
inline constexpr int kMaxVectors = 3;
#endif

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }
inline index_t round_up(index_t a, index_t b) { return ceil_div(a, b) * b; }

// The blocking of the packed algorithm is a GemmBlocking (ops/gemm_blocking.hpp; BLIS names):
//   mr × nr     register tile of C (micro-kernel), nr = nv·kW, mr ≤ kMaxRows, nv ≤ kMaxVectors
//   kc          k step: a kc × nr panel of B stays in L1 while tiles of A stream past it
//   mc          rows of A packed per block (a multiple of mr): mc × kc stays in L2
//   nc          columns of B packed per block (a multiple of nr), kc × nc in L3

// One operand as a logical matrix op(X) over row-major storage with leading dimension ld.
struct Operand {
  const float* data;
  index_t ld;
  bool trans;
  // op(X)[i, j]
  const float* at(index_t i, index_t j) const { return trans ? data + j * ld + i : data + i * ld + j; }
};

// How the blocked algorithm reads op(B) (chosen in ops/gemm.cpp; few rows of C for all but the first). Every way gives
// the same bits: each tile computes the same sums from the same values.
enum class BReading {
  packed,    // each block packed into nr-column panels before its tiles run
  in_place,  // the full panels read where they are, a row of kc steps ldb apart; only a narrow last panel packed
  first_tile_packs,  // the first tile of each panel reads it in place and stores the packed copy the other tiles read
  panel_by_panel,    // B transposed, one block of rows: each panel packed just before its tiles, into the same L1 slot
};

// B not packed up front: the first tile of each panel prefetches, one row per k step, the panel this many panels on
// (ops/gemm.cpp says why and what was measured: 4 measured alike, 1 lost a third of the gain).
inline constexpr index_t kBAheadPanels = 2;

// The rows-outer order's blocks (gemm_blocked.cpp) for a product of k step kc: the B block takes the L2 budget the
// model gives the A block (mc·kc floats at the model's kc), the A block the last-level budget of the B block (nc·kc).
inline index_t rows_outer_max_cols(const GemmBlocking& t, index_t kc) {
  return std::max(t.nr, t.mc * t.kc / kc / t.nr * t.nr);
}
inline index_t rows_outer_max_rows(const GemmBlocking& t, index_t kc) {
  return std::max(static_cast<index_t>(t.mr), t.nc * t.kc / kc / t.mr * t.mr);
}

struct Problem {
  Operand a, b;
  index_t m, n, k;
  float alpha, beta;
  float* c;
  index_t ldc;
  const float* bias;      // n values added to every row of C, or null
  GemmBlocking blocking;  // this product's (fixed for the process, so results do not depend on threads)
  index_t kc;             // k step of the blocked algorithm, fixed by k and the blocking alone (determinism)
  BReading b_reading;     // how the blocked algorithm reads op(B) (above)
  GemmLoopOrder order;    // panels_outer or rows_outer (never automatic); rows_outer only with b_reading = packed
  index_t dot_a_bytes;    // dot products: the rows of A are taken in blocks of at most this many bytes (half the L2)
};

// C[i0:i1, j0:j1] computed completely (all of k) by the calling thread.
void blocked_rect(const Problem& p, index_t i0, index_t i1, index_t j0, index_t j1);
void blocked_rect_rows_outer(const Problem& p, index_t i0, index_t i1, index_t j0, index_t j1);
void dot_rect(const Problem& p, index_t i0, index_t i1, index_t j0, index_t j1);

}  // namespace tapegrad::ops::gemm_detail
