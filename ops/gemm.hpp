// General matrix multiply on row-major storage with transpose flags (the BLAS sgemm contract, row-major):
//   C (m×n) = α · op(A) · op(B) + β · C,   op(A) is m×k, op(B) is k×n
// A is stored m×k (lda ≥ k), or k×m when trans_a (lda ≥ m); B is stored k×n (ldb ≥ n), or n×k when trans_b
// (ldb ≥ k); ldc ≥ n. β = 0 overwrites C without reading it (NaNs in C do not leak). Each C element is summed over
// k in a fixed order, whatever the thread count.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/gemm_blocking.hpp"
#include "ops/shape.hpp"

namespace tapegrad::ops {

void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
          const float* b, index_t ldb, float beta, float* c, index_t ldc);

// The same with a bias row added in the same pass over C (a linear layer's x·W + b without a second sweep):
//   C (m×n) = α · op(A) · op(B) + β · C + 1·biasᵀ,   bias (n)
void gemm_bias(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
               const float* b, index_t ldb, float beta, const float* bias, float* c, index_t ldc);

// Multiply-adds (m·n·k per call with k > 0 and α ≠ 0) of every GEMM this process has run, on any thread: the work
// a training step's GFLOP/s are counted from (bench/lm_throughput: FLOPs = 2 × multiply-adds). One relaxed atomic
// addition per call.
std::uint64_t gemm_multiply_adds();

// Per-shape timing, a diagnostic (bench/lm_throughput --gemm-shapes: which products a training step spends its GEMM
// time on, and at what rate). Off by default; while off, a product pays one relaxed atomic load for it. While on,
// each call's wall time (its threads included) is added to its shape's entry under a mutex.
struct GemmShapeTime {
  bool trans_a, trans_b;
  index_t m, n, k;
  std::uint64_t calls;
  double seconds;
};
// Turns the timing on (clearing the table) or off (keeping it).
void set_gemm_shape_timing(bool on);
// The table, the most time first.
std::vector<GemmShapeTime> gemm_shape_times();

// ---- blocking -------------------------------------------------------------------------------------------------
// The micro-tiles this build compiles (rows × vectors of its SIMD width): the candidates the blocking is chosen from.
std::span<const MicroTile> gemm_tiles();

// The blocking this process's GEMM uses: derived at the first product from this_cpu() (ops/cpu_info.hpp; the
// environment variable TAPEGRAD_CPU_CACHES replaces the detected caches) and gemm_tiles() by derive_gemm_blocking,
// unless set_gemm_blocking replaced it. Throws what this_cpu() throws for a malformed TAPEGRAD_CPU_CACHES.
GemmBlocking gemm_blocking();

// Replaces the blocking for the rest of the process (tests and benchmarks exercise other CPUs' blockings here).
// Throws UsageError naming the field unless mr × nv is one of gemm_tiles(), nr = nv × the SIMD width, kc ≥ 1,
// mc is a positive multiple of mr and nc a positive multiple of nr. Not synchronised with products running on other
// threads: call it between products. Results depend on kc (the k steps each sum is cut into), never on the thread
// count.
void set_gemm_blocking(const GemmBlocking& blocking);

// The loop order of the blocked algorithm for products whose B is packed (ops/gemm_blocked.cpp): panels outer (BLIS:
// the packed A block in L2, C written a panel at a time down its rows) or rows outer (the packed B block in L2, C
// written a row tile at a time along its rows). automatic, the default, takes rows outer for a wide C or a short k
// step (ops/gemm.cpp says where it was measured). Both give the same bits; forcing one is for tests and benchmarks,
// between products.
enum class GemmLoopOrder { automatic, panels_outer, rows_outer };
void set_gemm_loop_order(GemmLoopOrder order);

}  // namespace tapegrad::ops
