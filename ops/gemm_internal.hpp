// Internal to ops/gemm*.cpp: the problem description shared by the GEMM dispatcher and its two algorithms.
//   gemm_blocked.cpp — BLIS-style packed panels and register-tiled micro-kernels (most shapes);
//   gemm_dot.cpp     — dot products of contiguous rows, no packing (C = A·Bᵀ with few rows: the gradient of a
//                      recurrent step's input, dX = dZ·Wᵀ).
#pragma once

#include "ops/shape.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops::gemm_detail {

inline constexpr index_t kW = simd::kWidth;
inline constexpr index_t kMR = 6;         // micro-tile rows: one broadcast of A per row and k step
inline constexpr index_t kNV = 2;         // micro-tile width in vectors
inline constexpr index_t kNR = kNV * kW;  // micro-tile columns (32 with AVX-512): kMR·kNV accumulators in registers

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }
inline index_t round_up(index_t a, index_t b) { return ceil_div(a, b) * b; }

// One operand as a logical matrix op(X) over row-major storage with leading dimension ld.
struct Operand {
  const float* data;
  index_t ld;
  bool trans;
  // op(X)[i, j]
  const float* at(index_t i, index_t j) const { return trans ? data + j * ld + i : data + i * ld + j; }
};

struct Problem {
  Operand a, b;
  index_t m, n, k;
  float alpha, beta;
  float* c;
  index_t ldc;
  const float* bias;  // n values added to every row of C, or null
  index_t kc;         // k step of the blocked algorithm, fixed by k alone (determinism)
  bool direct_b;      // blocked: read op(B) = B in place instead of packing it (few rows of C; B not transposed)
};

// C[i0:i1, j0:j1] computed completely (all of k) by the calling thread.
void blocked_rect(const Problem& p, index_t i0, index_t i1, index_t j0, index_t j1);
void dot_rect(const Problem& p, index_t i0, index_t i1, index_t j0, index_t j1);

}  // namespace tapegrad::ops::gemm_detail
