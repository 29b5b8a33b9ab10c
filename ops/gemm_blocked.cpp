// The blocked GEMM (BLIS style) on one thread's rectangle of C.
//
// Loops, outermost first:
//   jc: nc columns of C        pack op(B)[pc:pc+kc, jc:jc+nc] into kNR-column panels   (L3)
//   pc: kc steps of k          (the first step applies β, later steps add: β = 1)
//   ic: mc rows of C           pack op(A)[ic:ic+mc, pc:pc+kc] into kMR-row panels      (L2)
//   jr: kNR columns            one B micro-panel, kc×kNR                                (L1)
//   ir: kMR rows               micro-kernel: an R×kNR tile of C (R ≤ kMR) held in registers
// Packing reads op(A) and op(B) through their transpose flags, so the micro-kernel sees one layout: for each k step,
// kMR values of A and kNR contiguous values of B. A transposed B is packed 16×16 blocks at a time through an
// in-register transpose. When C has few rows (direct_b), each B panel serves only a few micro-tiles and packing it
// would cost about as much as using it, so full panels are read in place from B's rows (stride ldb) instead.
//
// Every C element is computed the same way wherever its tile sits: per k step one chain of FMAs in k order, then
// C = α·sum + β·C. Edge tiles (fewer rows: a kernel instantiated for R rows; fewer columns: a zero-padded packed
// panel into a temporary tile) do the same arithmetic, so results do not depend on how C is cut between threads.
#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

#include "ops/aligned.hpp"
#include "ops/gemm_internal.hpp"

namespace tapegrad::ops::gemm_detail {
namespace {

using simd::vfloat;

constexpr index_t kMC = 144;   // rows per A block: mc×kc floats (144 KiB) stay in L2
constexpr index_t kNC = 4096;  // columns per B block: kc×nc floats in L3

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

// B transposed: panel columns j0 … j0+w−1 of op(B) are rows of B. Full 16-row × kW-step blocks go through an
// in-register transpose; the rest element by element.
void pack_b_transposed_panel(const Operand& b, index_t p0, index_t kc, index_t j0, index_t w, float* dst) {
  index_t j = 0;
  for (; j + kW <= w; j += kW) {
    index_t p = 0;
    for (; p + kW <= kc; p += kW) {
      vfloat rows[kW];
      for (index_t r = 0; r < kW; ++r) rows[r] = simd::load(b.at(p0 + p, j0 + j + r));  // B row j0+j+r, from p
      simd::transpose_square(rows);
      for (index_t r = 0; r < kW; ++r) simd::store(dst + (p + r) * kNR + j, rows[r]);
    }
    for (; p < kc; ++p)
      for (index_t r = 0; r < kW; ++r) dst[p * kNR + j + r] = *b.at(p0 + p, j0 + j + r);
  }
  for (; j < w; ++j) {
    const float* src = b.at(p0, j0 + j);
    for (index_t p = 0; p < kc; ++p) dst[p * kNR + j] = src[p];
  }
}

// op(B)[p0 : p0+kc, j0+jr : j0+jr+w] → one panel: for each p, kNR values (columns past w are zero).
void pack_b_panel(const Operand& b, index_t p0, index_t kc, index_t j0, index_t w, float* dst) {
  if (b.trans) {
    pack_b_transposed_panel(b, p0, kc, j0, w, dst);
  } else {  // op(B) row p is contiguous: copy w values per p
    for (index_t p = 0; p < kc; ++p) {
      const float* src = b.at(p0 + p, j0);
      std::copy(src, src + w, dst + p * kNR);
    }
  }
  if (w < kNR)
    for (index_t p = 0; p < kc; ++p) std::fill(dst + p * kNR + w, dst + (p + 1) * kNR, 0.0f);
}

// ---- micro-kernels -------------------------------------------------------------------------------------------

// C tile (R×kNR, row stride ldc) = α · Σ_p ap[p, 0:R]ᵀ b[p, :] + β · C tile (+ bias row); β = 0 leaves C unread.
// ap: kc steps of kMR values; b: kc rows of kNR values, b_stride apart (kNR when packed, ldb when read in place);
// bias: kNR values added to every row, or null.
// V: vectors per row (kNV for full tiles; 1 for a narrow last panel of at most kW columns, so that a panel of 8
// columns does not cost the work of 32).
template <int R, int V = kNV>
void micro_kernel(index_t kc, const float* ap, const float* b, index_t b_stride, float alpha, float beta,
                  const float* bias, float* c, index_t ldc) {
  vfloat acc[R][V];
  for (auto& row : acc)
    for (auto& v : row) v = simd::broadcast(0.0f);
  for (index_t p = 0; p < kc; ++p, ap += kMR, b += b_stride) {
    vfloat bv[V];
    for (index_t v = 0; v < V; ++v) bv[v] = simd::load(b + v * kW);
    for (int i = 0; i < R; ++i) {
      const vfloat a = simd::broadcast(ap[i]);
      for (index_t v = 0; v < V; ++v) acc[i][v] = simd::fma(a, bv[v], acc[i][v]);
    }
  }
  const vfloat va = simd::broadcast(alpha);
  vfloat add[V];
  for (index_t v = 0; v < V; ++v) add[v] = bias ? simd::load(bias + v * kW) : simd::broadcast(0.0f);
  if (beta == 0.0f) {
    for (int i = 0; i < R; ++i)
      for (index_t v = 0; v < V; ++v) simd::store(c + i * ldc + v * kW, simd::fma(va, acc[i][v], add[v]));
  } else {
    const vfloat vb = simd::broadcast(beta);
    for (int i = 0; i < R; ++i)
      for (index_t v = 0; v < V; ++v) {
        float* out = c + i * ldc + v * kW;
        simd::store(out, simd::fma(va, acc[i][v], simd::fma(vb, simd::load(out), add[v])));
      }
  }
}

using MicroKernel = void (*)(index_t, const float*, const float*, index_t, float, float, const float*, float*, index_t);
// kKernels[h] computes a tile of h rows (1 ≤ h ≤ kMR), kNarrowKernels[h] the same one vector wide.
template <int V, int... H>
constexpr std::array<MicroKernel, kMR + 1> kernels_by_height(std::integer_sequence<int, H...>) {
  return {nullptr, micro_kernel<H + 1, V>...};
}
constexpr std::array<MicroKernel, kMR + 1> kKernels = kernels_by_height<kNV>(std::make_integer_sequence<int, kMR>{});
constexpr std::array<MicroKernel, kMR + 1> kNarrowKernels =
    kernels_by_height<1>(std::make_integer_sequence<int, kMR>{});

// A tile of h rows and w < kNR columns: the h-row kernel on a zero-padded panel into a temporary tile.
void narrow_tile(index_t kc, const float* ap, const float* bp, float alpha, float beta, const float* bias, float* c,
                 index_t ldc, index_t h, index_t w) {
  alignas(kAlignment) float tile[kMR * kNR] = {};
  alignas(kAlignment) float padded_bias[kNR] = {};
  if (beta != 0.0f)
    for (index_t i = 0; i < h; ++i) std::copy(c + i * ldc, c + i * ldc + w, tile + i * kNR);
  if (bias) std::copy(bias, bias + w, padded_bias);
  const MicroKernel kernel = w <= kW ? kNarrowKernels[h] : kKernels[h];
  kernel(kc, ap, bp, kNR, alpha, beta, bias ? padded_bias : nullptr, tile, kNR);
  for (index_t i = 0; i < h; ++i) std::copy(tile + i * kNR, tile + i * kNR + w, c + i * ldc);
}

}  // namespace

void blocked_rect(const Problem& job, index_t i0, index_t i1, index_t j0, index_t j1) {
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
      const float* bias = pc == 0 ? job.bias : nullptr;  // added once, with the first k step
      // B panels: packed (or, direct_b, full panels in place and only a narrow last one packed)
      for (index_t jr = 0; jr < ncb; jr += kNR) {
        const index_t w = std::min(kNR, ncb - jr);
        if (!job.direct_b || w < kNR) pack_b_panel(job.b, pc, kcb, jc + jr, w, bp + jr * kcb);
      }
      for (index_t ic = i0; ic < i1; ic += mc) {
        const index_t mcb = std::min(mc, i1 - ic);
        pack_a(job.a, ic, mcb, pc, kcb, ap);
        for (index_t jr = 0; jr < ncb; jr += kNR) {
          const index_t w = std::min(kNR, ncb - jr);
          const bool in_place = job.direct_b && w == kNR;
          const float* b_panel = in_place ? job.b.at(pc, jc + jr) : bp + jr * kcb;
          const index_t b_stride = in_place ? job.b.ld : kNR;
          for (index_t ir = 0; ir < mcb; ir += kMR) {
            const index_t h = std::min(kMR, mcb - ir);
            float* tile = job.c + (ic + ir) * job.ldc + jc + jr;
            if (w == kNR)
              kKernels[h](kcb, ap + ir * kcb, b_panel, b_stride, job.alpha, beta, bias ? bias + jc + jr : nullptr, tile,
                          job.ldc);
            else
              narrow_tile(kcb, ap + ir * kcb, b_panel, job.alpha, beta, bias ? bias + jc + jr : nullptr, tile, job.ldc,
                          h, w);
          }
        }
      }
    }
  }
}

}  // namespace tapegrad::ops::gemm_detail
