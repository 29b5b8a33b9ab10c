// GEMM, BLIS style:  C (m×n) = α · op(A) (m×k) · op(B) (k×n) + β · C   on row-major storage.
//
// Loops, outermost first (each thread runs them over its own rectangle of C):
//   jc: kNC columns of C        pack op(B)[pc:pc+kc, jc:jc+nc] into kNR-column panels   (L3)
//   pc: kKC steps of k          (the first step applies β, later steps add: β = 1)
//   ic: kMC rows of C           pack op(A)[ic:ic+mc, pc:pc+kc] into kMR-row panels      (L2)
//   jr: kNR columns             one packed B micro-panel, kc×kNR                         (L1)
//   ir: kMR rows                micro-kernel: a kMR×kNR tile of C held in registers
// Packing reads op(A) and op(B) through their transpose flags, so the micro-kernel sees one layout: for each k step,
// kMR contiguous values of A and kNR contiguous values of B. Tiles past the edge of C are zero-padded in the packed
// panels and computed into a small temporary tile, then copied out.
//
// Threads: C is cut into one rectangle per thread (rows or columns split, whichever costs least), and each thread
// runs the whole loop nest on its rectangle with its own thread-local packing buffers. Each C element is written by
// one thread only: per k step, one micro-kernel call sums that step's products with a chain of FMAs in k order and
// adds α times the sum to C. The k steps depend on k alone, and a tile's arithmetic does not depend on where the tile
// sits, so the result is the same for any thread count and any cut of C.
#include "ops/gemm.hpp"

#include <algorithm>
#include <cassert>

#include "ops/aligned.hpp"
#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

constexpr index_t kW = simd::kWidth;
constexpr index_t kMR = 6;        // micro-tile rows: one broadcast of A per row and k step
constexpr index_t kNV = 2;        // micro-tile width in vectors
constexpr index_t kNR = kNV * kW; // micro-tile columns (32 with AVX-512): kMR·kNV accumulators in registers
constexpr index_t kKC = 256;      // k step: a kc×kNR B micro-panel (32 KiB) stays in L1
constexpr index_t kMC = 144;      // rows per A block: mc×kc floats (144 KiB) stay in L2
constexpr index_t kNC = 4096;     // columns per B block: kc×nc floats in L3

index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }
index_t round_up(index_t a, index_t b) { return ceil_div(a, b) * b; }

// A growable 64-byte-aligned scratch buffer, one per thread and role, kept between calls.
class Scratch {
 public:
  float* get(index_t n) {
    if (n > capacity_) {
      buffer_ = allocate_aligned(static_cast<std::size_t>(n));
      capacity_ = n;
    }
    return buffer_.get();
  }

 private:
  AlignedBuffer buffer_;
  index_t capacity_ = 0;
};

float* a_scratch(index_t n) {
  thread_local Scratch s;
  return s.get(n);
}
float* b_scratch(index_t n) {
  thread_local Scratch s;
  return s.get(n);
}

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
  index_t kc;  // k step, fixed by k alone (determinism)
};

// ---- packing ------------------------------------------------------------------------------------------------

// op(A)[i0 : i0+mc, p0 : p0+kc] → dst as ⌈mc/kMR⌉ panels; panel q holds, for each p, rows q·kMR … q·kMR+kMR−1
// (rows past mc are zero).
void pack_a(const Operand& a, index_t i0, index_t mc, index_t p0, index_t kc, float* dst) {
  for (index_t ir = 0; ir < mc; ir += kMR, dst += kMR * kc) {
    const index_t h = std::min(kMR, mc - ir);
    if (a.trans) {  // op(A) column p is contiguous in memory: copy h values per p
      for (index_t p = 0; p < kc; ++p) {
        const float* src = a.at(i0 + ir, p0 + p);
        for (index_t i = 0; i < h; ++i) dst[p * kMR + i] = src[i];
      }
    } else {  // op(A) row i is contiguous: read it along p, write with stride kMR
      for (index_t i = 0; i < h; ++i) {
        const float* src = a.at(i0 + ir + i, p0);
        for (index_t p = 0; p < kc; ++p) dst[p * kMR + i] = src[p];
      }
    }
    for (index_t p = 0; p < kc; ++p)
      for (index_t i = h; i < kMR; ++i) dst[p * kMR + i] = 0.0f;
  }
}

// op(B)[p0 : p0+kc, j0 : j0+nc] → dst as ⌈nc/kNR⌉ panels; panel q holds, for each p, columns q·kNR … q·kNR+kNR−1
// (columns past nc are zero).
void pack_b(const Operand& b, index_t p0, index_t kc, index_t j0, index_t nc, float* dst) {
  for (index_t jr = 0; jr < nc; jr += kNR, dst += kNR * kc) {
    const index_t w = std::min(kNR, nc - jr);
    if (b.trans) {  // op(B) column j is contiguous: read it along p, write with stride kNR
      for (index_t j = 0; j < w; ++j) {
        const float* src = b.at(p0, j0 + jr + j);
        for (index_t p = 0; p < kc; ++p) dst[p * kNR + j] = src[p];
      }
    } else {  // op(B) row p is contiguous: copy w values per p
      for (index_t p = 0; p < kc; ++p) {
        const float* src = b.at(p0 + p, j0 + jr);
        for (index_t j = 0; j < w; ++j) dst[p * kNR + j] = src[j];
      }
    }
    for (index_t p = 0; p < kc; ++p)
      for (index_t j = w; j < kNR; ++j) dst[p * kNR + j] = 0.0f;
  }
}

// ---- micro-kernel ---------------------------------------------------------------------------------------------

// C tile (kMR×kNR, row stride ldc) = α · Σ_p ap[p,:]ᵀ bp[p,:] + β · C tile; β = 0 leaves C unread.
// ap: kc steps of kMR values, bp: kc steps of kNR values. acc[i][v] holds C[i, v·W … v·W+W−1].
void micro_kernel(index_t kc, const float* ap, const float* bp, float alpha, float beta, float* c, index_t ldc) {
  vfloat acc[kMR][kNV];
  for (auto& row : acc)
    for (auto& v : row) v = simd::broadcast(0.0f);
  for (index_t p = 0; p < kc; ++p, ap += kMR, bp += kNR) {
    vfloat b[kNV];
    for (index_t v = 0; v < kNV; ++v) b[v] = simd::load(bp + v * kW);
    for (index_t i = 0; i < kMR; ++i) {
      const vfloat a = simd::broadcast(ap[i]);
      for (index_t v = 0; v < kNV; ++v) acc[i][v] = simd::fma(a, b[v], acc[i][v]);
    }
  }
  const vfloat va = simd::broadcast(alpha);
  if (beta == 0.0f) {
    for (index_t i = 0; i < kMR; ++i)
      for (index_t v = 0; v < kNV; ++v) simd::store(c + i * ldc + v * kW, va * acc[i][v]);
  } else {
    const vfloat vb = simd::broadcast(beta);
    for (index_t i = 0; i < kMR; ++i)
      for (index_t v = 0; v < kNV; ++v) {
        float* out = c + i * ldc + v * kW;
        simd::store(out, simd::fma(va, acc[i][v], vb * simd::load(out)));
      }
  }
}

// A partial tile (h ≤ kMR rows, w ≤ kNR columns of C): the same micro-kernel on a zero-padded copy, so every
// element is computed with exactly the same operations as in a full tile.
void edge_tile(index_t kc, const float* ap, const float* bp, float alpha, float beta, float* c, index_t ldc,
               index_t h, index_t w) {
  alignas(kAlignment) float tile[kMR * kNR] = {};
  if (beta != 0.0f)
    for (index_t i = 0; i < h; ++i) std::copy(c + i * ldc, c + i * ldc + w, tile + i * kNR);
  micro_kernel(kc, ap, bp, alpha, beta, tile, kNR);
  for (index_t i = 0; i < h; ++i) std::copy(tile + i * kNR, tile + i * kNR + w, c + i * ldc);
}

// C[0:mc, 0:nc] (at c) from a packed A block (mc×kc) and packed B block (kc×nc).
void macro_kernel(index_t mc, index_t nc, index_t kc, const float* ap, const float* bp, float alpha, float beta,
                  float* c, index_t ldc) {
  for (index_t jr = 0; jr < nc; jr += kNR) {
    const index_t w = std::min(kNR, nc - jr);
    const float* b_panel = bp + jr * kc;
    for (index_t ir = 0; ir < mc; ir += kMR) {
      const index_t h = std::min(kMR, mc - ir);
      const float* a_panel = ap + ir * kc;
      float* tile = c + ir * ldc + jr;
      if (h == kMR && w == kNR)
        micro_kernel(kc, a_panel, b_panel, alpha, beta, tile, ldc);
      else
        edge_tile(kc, a_panel, b_panel, alpha, beta, tile, ldc, h, w);
    }
  }
}

// ---- one thread's rectangle -----------------------------------------------------------------------------------

// C[i0:i1, j0:j1] computed completely (all of k) by the calling thread.
void gemm_rect(const Problem& job, index_t i0, index_t i1, index_t j0, index_t j1) {
  if (i0 >= i1 || j0 >= j1) return;
  // Blocks as even as the cache limits allow (e.g. 300 rows → 150 + 150, not 144 + 144 + 12).
  const index_t mc = round_up(ceil_div(i1 - i0, ceil_div(i1 - i0, kMC)), kMR);
  const index_t nc = round_up(ceil_div(j1 - j0, ceil_div(j1 - j0, kNC)), kNR);
  float* ap = a_scratch(mc * job.kc);
  float* bp = b_scratch(nc * job.kc);
  for (index_t jc = j0; jc < j1; jc += nc) {
    const index_t ncb = std::min(nc, j1 - jc);
    for (index_t pc = 0; pc < job.k; pc += job.kc) {
      const index_t kcb = std::min(job.kc, job.k - pc);
      const float beta = pc == 0 ? job.beta : 1.0f;
      pack_b(job.b, pc, kcb, jc, ncb, bp);
      for (index_t ic = i0; ic < i1; ic += mc) {
        const index_t mcb = std::min(mc, i1 - ic);
        pack_a(job.a, ic, mcb, pc, kcb, ap);
        macro_kernel(mcb, ncb, kcb, ap, bp, job.alpha, beta, job.c + ic * job.ldc + jc, job.ldc);
      }
    }
  }
}

// ---- splitting C between threads ------------------------------------------------------------------------------

// C cut into parts_m row bands × parts_n column bands; band sizes are whole micro-tiles except the last.
struct Split {
  index_t parts_m = 1, parts_n = 1;
  index_t rows = 0, cols = 0;  // band size
};

Split make_split(index_t m, index_t n, index_t parts_m, index_t parts_n) {
  return {parts_m, parts_n, ceil_div(ceil_div(m, kMR), parts_m) * kMR, ceil_div(ceil_div(n, kNR), parts_n) * kNR};
}

// Rough cost of the busiest thread, in multiply-adds: its padded tiles times k, plus packing (a packed float costs
// about as much as kPackCost multiply-adds; A is packed once per column block, B once).
index_t split_cost(const Split& s, index_t k) {
  constexpr index_t kPackCost = 32;
  const index_t packed = s.rows * k * ceil_div(s.cols, kNC) + s.cols * k;
  return s.rows * s.cols * k + kPackCost * packed;
}

// The cheapest way to give each of `threads` threads one rectangle.
Split choose_split(index_t m, index_t n, index_t k, index_t threads) {
  Split best = make_split(m, n, 1, threads);
  for (index_t pm = 2; pm <= threads; ++pm) {
    if (threads % pm != 0) continue;
    const Split s = make_split(m, n, pm, threads / pm);
    if (split_cost(s, k) < split_cost(best, k)) best = s;
  }
  return best;
}

// C = β·C (k = 0 or α = 0: the product contributes nothing); β = 0 writes zeros without reading C.
void scale_c(index_t m, index_t n, float beta, float* c, index_t ldc) {
  if (beta == 1.0f) return;
  for (index_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f)
      std::fill(row, row + n, 0.0f);
    else
      for (index_t j = 0; j < n; ++j) row[j] *= beta;
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
          const float* b, index_t ldb, float beta, float* c, index_t ldc) {
  assert(m >= 0 && n >= 0 && k >= 0);
  assert(lda >= (trans_a ? m : k) && ldb >= (trans_b ? k : n) && ldc >= n);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  // k steps as even as possible (k = 300 → 150 + 150), fixed by k alone
  const Problem job{{a, lda, trans_a}, {b, ldb, trans_b}, m, n, k, alpha, beta, c, ldc,
                    ceil_div(k, ceil_div(k, kKC))};
  const bool parallel = m * n * k > kParallelThreshold && num_threads() > 1;
  const index_t threads = parallel ? num_threads() : 1;
  const Split s = choose_split(m, n, k, threads);
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(threads)) if (parallel)
  for (index_t t = 0; t < threads; ++t) {
    const index_t bi = t / s.parts_n, bj = t % s.parts_n;
    gemm_rect(job, bi * s.rows, std::min(m, (bi + 1) * s.rows), bj * s.cols, std::min(n, (bj + 1) * s.cols));
  }
}

}  // namespace tapegrad::ops
