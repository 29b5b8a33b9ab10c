// The blocked GEMM (BLIS style) on one thread's rectangle of C, with the blocking of its Problem (gemm_internal.hpp),
// in two loop orders: panels outer (blocked_rect, below) and, for a wide C, rows outer (blocked_rect_rows_outer, at
// the end of the file: the same kernels with the packed B block in L2 instead of the packed A block).
//
// Loops of the panels-outer order, outermost first:
//   jc: nc columns of C        pack op(B)[pc:pc+kc, jc:jc+nc] into nr-column panels     (L3)
//   pc: kc steps of k          (the first step applies β and the bias, later steps add: β = 1)
//   ic: mc rows of C           pack op(A)[ic:ic+mc, pc:pc+kc] into panels of ≤ mr rows  (L2)
//   jr: nr columns             one B micro-panel, kc×nr                                   (L1)
//   q:  row tiles              micro-kernel: an h×nr tile of C (h ≤ mr) held in registers; one call runs all the
//                              tiles of one height in the panel (at most two heights, see below)
// Packing reads op(A) and op(B) through their transpose flags, so the micro-kernel sees one layout: for each k step,
// h values of A and nr contiguous values of B. An untransposed B is packed a row of op(B) at a time across all the
// panels of the block (long sequential reads, one page at a time: reading a panel's rows one by one would touch a
// new page per row when B is wide); a transposed B is packed kW×kW blocks at a time through an in-register
// transpose. With few rows of C (Problem::b_reading, chosen in ops/gemm.cpp) B is not packed up front: the full
// panels are read in place, a row of kc steps ldb apart, or the first tile of each panel reads it in place and leaves
// a packed copy for the others (when the rows would evict each other in the L1, or straddle cache lines); only a
// narrow last panel is packed. The first tile also prefetches the panel kBAheadPanels on (gemm_internal.hpp), one
// row per k step, so that the misses of rows ldb apart spread over its FMAs.
//
// Row tiles: the rows of a block are cut into ⌈rows/mr⌉ tiles of as equal height as possible (20 rows with mr = 6:
// 5+5+5+5, not 6+6+6+2), because a tile's accumulators are its only independent FMA chains: a 2-row tile leaves
// the FMA units waiting on their latency. For the same reason a narrow last panel of one vector runs its tiles two at
// a time (pair_kernel).
//
// Every C element is computed the same way wherever its tile sits: per k step one chain of FMAs in k order, then
// C = α·sum + β·C. Tiles of any height and narrow panels (zero-padded, fewer vectors) do the same arithmetic per
// element, so results do not depend on how C is cut between threads.
#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

#include "ops/aligned.hpp"
#include "ops/gemm_internal.hpp"

namespace tapegrad::ops::gemm_detail {
namespace {

using simd::vfloat;

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

// ---- row tiles -----------------------------------------------------------------------------------------------

// rows cut into count tiles of height base or base + 1 (the first `extra` ones), none above mr.
struct RowTiles {
  index_t count, base, extra;
  RowTiles(index_t rows, index_t mr) : count(ceil_div(rows, mr)), base(rows / count), extra(rows % count) {}
  index_t start(index_t q) const { return q * base + std::min(q, extra); }
  index_t height(index_t q) const { return base + (q < extra ? 1 : 0); }
};

// ---- prefetching the next block -------------------------------------------------------------------------------

// Walks the cache lines of a rectangle of an operand's memory (rows of row_bytes, stride apart) a few at a time:
// the blocks of A and B packed next are fetched into L2 while the current ones are multiplied, so that packing them
// reads L2 instead of waiting on memory (a wide B is streamed once from memory, and so is a tall A: without this,
// packing is a memory-bound pass that nothing overlaps; the decoder's weight gradient, 10000×200×700 with Aᵀ, spent a
// fifth of its time packing A, 40 KB rows apart, until A's next block was prefetched too: 0.88 → 0.96× oneDNN).
class LinePrefetcher {
 public:
  LinePrefetcher() = default;
  LinePrefetcher(const float* first, index_t rows, index_t row_floats, index_t stride_floats, index_t spread_over)
      : next_(reinterpret_cast<const char*>(first)),
        row_bytes_(row_floats * static_cast<index_t>(sizeof(float))),
        stride_bytes_(stride_floats * static_cast<index_t>(sizeof(float))),
        rows_left_(rows),
        per_call_(ceil_div(rows * ceil_div(row_bytes_, kLine), std::max<index_t>(spread_over, 1))) {}

  // Prefetches the next share of lines (called spread_over times, it covers the rectangle).
  void advance() {
    for (index_t n = 0; n < per_call_ && rows_left_ > 0; ++n) {
      __builtin_prefetch(next_ + offset_, 0, 2);
      offset_ += kLine;
      if (offset_ >= row_bytes_) {
        offset_ = 0;
        next_ += stride_bytes_;
        --rows_left_;
      }
    }
  }

 private:
  static constexpr index_t kLine = 64;
  const char* next_ = nullptr;
  index_t row_bytes_ = 0, stride_bytes_ = 0, rows_left_ = 0, per_call_ = 0, offset_ = 0;
};

// The memory of op(X)[r0 : r0+rows, c0 : c0+cols] as rows: `rows` rows of `cols` floats, or `cols` rows of `rows`
// floats when X is transposed; its lines spread over `calls` calls of advance().
LinePrefetcher block_prefetcher(const Operand& x, index_t r0, index_t rows, index_t c0, index_t cols, index_t calls) {
  return x.trans ? LinePrefetcher(x.at(r0, c0), cols, rows, x.ld, calls)
                 : LinePrefetcher(x.at(r0, c0), rows, cols, x.ld, calls);
}

// The next blocks of B and of A, advanced together once per tile.
struct NextBlocks {
  LinePrefetcher b, a;
  void advance() {
    b.advance();
    a.advance();
  }
};

// ---- packing ------------------------------------------------------------------------------------------------

// op(A)[i0 : i0+rows, p0 : p0+kc] → dst, tile by tile: tile q (h rows from row s) occupies dst[s·kc, (s+h)·kc) and
// holds, for each p, its h values of column p.
void pack_a(const Operand& a, index_t i0, const RowTiles& tiles, index_t p0, index_t kc, float* dst) {
  for (index_t q = 0; q < tiles.count; ++q) {
    const index_t s = tiles.start(q), h = tiles.height(q);
    float* panel = dst + s * kc;
    if (a.trans) {  // op(A) column p is contiguous in memory: copy h values per p
      index_t p = 0;
      // A whole vector per p while it stays inside the row of memory (i0 + s + kW ≤ ld): the kW − h values past the h
      // are overwritten by the next step's store, as in the in-register transpose below. Element by element, the
      // weight gradient of a batch-20 step (800×400×20, Aᵀ) spent more time packing A than the kernel lost to all
      // its other overheads (Zen 3: 0.85–0.87× → 0.99–1.00× oneDNN).
      if (h <= kW && i0 + s + kW <= a.ld)
        for (; p < kc; ++p) simd::store(panel + p * h, simd::load(a.at(i0 + s, p0 + p)));
      for (; p < kc; ++p) {
        const float* src = a.at(i0 + s, p0 + p);
        for (index_t i = 0; i < h; ++i) panel[p * h + i] = src[i];
      }
    } else {  // op(A) row i is contiguous: kW steps of the h rows at a time through an in-register transpose
      index_t p = 0;
      if (h <= kW) {
        for (; p + kW <= kc; p += kW) {
          vfloat rows[kW];
          for (index_t i = 0; i < kW; ++i) rows[i] = i < h ? simd::load(a.at(i0 + s + i, p0 + p)) : vfloat(0.0f);
          simd::transpose_square(rows);  // rows[r] = the h values of step p + r, then zeros
          // Whole vectors: the kW − h values past step p + r's h are overwritten by the next store, and those of
          // the last step land in the next tile (packed after this one) or in the slack of the buffer.
          for (index_t r = 0; r < kW; ++r) simd::store(panel + (p + r) * h, rows[r]);
        }
      }
      for (index_t i = 0; i < h; ++i) {
        const float* src = a.at(i0 + s + i, p0);
        for (index_t q2 = p; q2 < kc; ++q2) panel[q2 * h + i] = src[q2];
      }
    }
  }
}

// B transposed: panel columns j0 … j0+w−1 of op(B) are rows of B. Full kW-row × kW-step blocks go through an
// in-register transpose; the rest element by element.
void pack_b_transposed_panel(const Operand& b, index_t p0, index_t kc, index_t j0, index_t w, index_t nr, float* dst) {
  index_t j = 0;
  for (; j + kW <= w; j += kW) {
    index_t p = 0;
    for (; p + kW <= kc; p += kW) {
      vfloat rows[kW];
      for (index_t r = 0; r < kW; ++r) rows[r] = simd::load(b.at(p0 + p, j0 + j + r));  // B row j0+j+r, from p
      simd::transpose_square(rows);
      for (index_t r = 0; r < kW; ++r) simd::store(dst + (p + r) * nr + j, rows[r]);
    }
    for (; p < kc; ++p)
      for (index_t r = 0; r < kW; ++r) dst[p * nr + j + r] = *b.at(p0 + p, j0 + j + r);
  }
  for (; j < w; ++j) {
    const float* src = b.at(p0, j0 + j);
    for (index_t p = 0; p < kc; ++p) dst[p * nr + j] = src[p];
  }
}

// op(B)[p0 : p0+kc, j0 : j0+ncb] → ⌈ncb/nr⌉ panels, panel t at dst + t·nr·kc holding for each p the nr values of
// its columns (columns past ncb are zero).
// With tail_only (B not packed up front) only the narrow last panel is.
void pack_b_block(const Operand& b, index_t p0, index_t kc, index_t j0, index_t ncb, index_t nr, bool tail_only,
                  float* dst) {
  const index_t full = ncb / nr * nr, tail = ncb - full;
  if (tail_only) {  // the full panels are read in place
    if (tail)
      for (index_t p = 0; p < kc; ++p)
        std::copy(b.at(p0 + p, j0 + full), b.at(p0 + p, j0 + ncb), dst + full * kc + p * nr);
  } else if (b.trans) {
    for (index_t jr = 0; jr < ncb; jr += nr)
      pack_b_transposed_panel(b, p0, kc, j0 + jr, std::min(nr, ncb - jr), nr, dst + jr * kc);
  } else {  // op(B) row p is contiguous: one pass along it fills row p of every panel, a vector at a time
    for (index_t p = 0; p < kc; ++p) {
      const float* src = b.at(p0 + p, j0);
      float* row = dst + p * nr;
      for (index_t jr = 0; jr < full; jr += nr)
        for (index_t v = 0; v < nr; v += kW) simd::store(row + jr * kc + v, simd::load(src + jr + v));
      for (index_t j = full; j < ncb; ++j) row[full * kc + j - full] = src[j];
    }
  }
  if (tail)
    for (index_t p = 0; p < kc; ++p) std::fill(dst + full * kc + p * nr + tail, dst + full * kc + (p + 1) * nr, 0.0f);
}

// ---- micro-kernels -------------------------------------------------------------------------------------------

// `tiles` tiles of C (tile t: R rows × V·kW columns at c + t·step.c, row stride ldc), each
//   tile = α · Σ_p ap_t[p, 0:R]ᵀ b_t[p, :] + β · tile (+ bias_t row);   β = 0 leaves C unread.
// ap_t = ap + t·step.a: kc steps of R values; b_t = b + t·step.b: kc rows, b_stride apart, of which the first V·kW
// values are used; bias_t = bias + t·step.b_columns: V·kW values added to every row, or null. Two walks use it:
// down the rows of one B micro-panel (step.a = R·kc, the packed A tiles of a block following each other; step.b = 0;
// step.c = R·ldc) and along the panels of one row tile (step.a = 0; step.b = nr·kc, the packed panels of a block;
// step.c = nr columns). next: advanced once per tile (it fetches the blocks packed next).
// One call runs every tile of one height in a panel (a "macro-kernel"): with a short k (k = 20: 240 FMAs per 6×16
// tile) a call, a stack frame and the setup per tile cost a quarter of the time (measured on the weight gradients
// 800×400×20 Aᵀ, bench/gemm_peers), while in a loop they are paid once per panel.
//
// The unroll pragmas make GCC unroll the loops over rows and vectors before scalar replacement runs: without them
// acc[][] stays an array in memory, written to the stack before and after the k loop and read back for the
// epilogue (24 extra stores per tile).
//
// Two variants serve the first tile of a panel of B read in place (Mode, bits of KernelMode): kStoresB stores each
// row's nr values of B to packed_b (kc rows of nr floats) as it loads them; kFetchesAhead prefetches, per k step, the
// value `ahead` floats past the row's first (the same row of a later panel: rows b_stride apart, a page or more for
// long rows, which no hardware prefetcher follows that far ahead). Neither changes the arithmetic.
enum KernelMode : int { kPlain = 0, kStoresB = 1, kFetchesAhead = 2 };

// The end of every kernel: tile = α·acc + β·tile (+ the bias row), R rows of V vectors; β = 0 leaves C unread.
// With α = 1, no bias and β = 0 or 1 (`plain`: a product written or accumulated, as the gradients are) it stores acc or
// acc + tile: the same values up to the sign of a zero (α·acc + 0 turned −0 into +0), and 12 FMAs fewer per 6×16
// tile. With a short k that is worth it: 800×400×20 Aᵀ (a batch-20 step's weight gradient), Zen 3, ours / oneDNN
// within a round 0.92–0.93 → 0.97–0.98 in three alternating pairs. Every kernel ends here, so the bits still do not
// depend on the tile an element falls in.
inline bool plain_epilogue(float alpha, float beta, const float* bias) {
  return !bias && alpha == 1.0f && (beta == 0.0f || beta == 1.0f);
}
template <int R, int V>
[[gnu::always_inline]] inline void write_tile(const vfloat (&acc)[R][V], bool plain, vfloat va, float beta,
                                              const float* bias, float* c, index_t ldc) {
  if (plain) {  // α = 1, no bias, β = 0 or 1: the sum alone, or added to C, without the FMAs by 1 and 0
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) {
        float* out = c + i * ldc + v * kW;
        simd::store(out, beta == 0.0f ? acc[i][v] : acc[i][v] + simd::load(out));
      }
    return;
  }
  vfloat add[V];
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) add[v] = bias ? simd::load(bias + v * kW) : simd::broadcast(0.0f);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) simd::store(c + i * ldc + v * kW, simd::fma(va, acc[i][v], add[v]));
  } else {
    const vfloat vb = simd::broadcast(beta);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) {
        float* out = c + i * ldc + v * kW;
        simd::store(out, simd::fma(va, acc[i][v], simd::fma(vb, simd::load(out), add[v])));
      }
  }
}

// How far apart, in floats, the consecutive tiles of one micro-kernel call are in packed A, in B (and the bias), in C.
struct TileStep {
  index_t a, b, b_columns, c;
};

template <int R, int V, int Mode>
void micro_kernel(index_t tiles, index_t kc, const float* ap, const float* b, index_t b_stride, TileStep step,
                  float alpha, float beta, const float* bias, float* c, index_t ldc, NextBlocks& next, float* packed_b,
                  index_t ahead) {
  // A tile of C is read or written only after its k loop: ask for the lines of the first tile now and for those of
  // the next one at the start of each, so that their misses (a row of a wide C is a page away from the next)
  // overlap the FMAs instead of following them. Even a C that a short k step only writes (β = 0, k = 20) is fetched:
  // without it, on Zen 3, the median ratio to oneDNN of 800×400×20 and 400×800×20 Aᵀ moved from 0.94–1.03 to
  // 0.95–1.00 on one thread but the best batch lost 8%, and on two threads 400×800×20 Aᵀ fell from 1.14–1.16× to
  // 0.77–0.96× (bench/gemm_peers --only "dW b20" --quick, three alternating pairs each).
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + V * kW - 1, 1);
  }
  const vfloat va = simd::broadcast(alpha);
  const bool plain = plain_epilogue(alpha, beta, bias);
  for (index_t t = 0; t < tiles; ++t, c += step.c, b += step.b, bias = bias ? bias + step.b_columns : nullptr) {
    next.advance();
    if (t + 1 < tiles) {
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        __builtin_prefetch(c + step.c + i * ldc, 1);
        __builtin_prefetch(c + step.c + i * ldc + V * kW - 1, 1);
      }
    }
    const float* at = ap + t * step.a;
    vfloat acc[R][V];
#pragma GCC unroll 16
    for (auto& row : acc)
#pragma GCC unroll 16
      for (auto& v : row) v = simd::broadcast(0.0f);
    const float* bp = b;
    // Four k steps per loop iteration: 21 instructions per step instead of 24 (the pointer and counter updates are
    // shared). Zen 3, alternating runs, ours / oneDNN within a round: 20×800×400 0.92–0.94 → 0.96–1.00, 1024² 0.97 →
    // 1.00–1.01; the lstm step 3,814 / 3,914 / 4,007 → 3,889 / 4,193 / 4,438 tok/s. Each element's FMA chain is the
    // same, so are the bits.
#pragma GCC unroll 4
    for (index_t p = 0; p < kc; ++p, at += R, bp += b_stride) {
      vfloat bv[V];
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) {
        bv[v] = simd::load(bp + v * kW);
        simd::pin(bv[v]);  // one load per vector, not one folded into each of the R FMAs that use it
        if constexpr ((Mode & kStoresB) != 0) simd::store(packed_b + p * (V * kW) + v * kW, bv[v]);
      }
      if constexpr ((Mode & kFetchesAhead) != 0) __builtin_prefetch(bp + ahead, 0, 3);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const vfloat a = simd::broadcast(at[i]);
#pragma GCC unroll 16
        for (int v = 0; v < V; ++v) acc[i][v] = simd::fma(a, bv[v], acc[i][v]);
      }
    }
    write_tile(acc, plain, va, beta, bias, c, ldc);
  }
}

using MicroKernel = void (*)(index_t, index_t, const float*, const float*, index_t, TileStep, float, float,
                             const float*, float*, index_t, NextBlocks&, float*, index_t);

// kKernels[mode][v][h]: the kernel of h rows (1 ≤ h ≤ kMaxRows), v vectors (1 ≤ v ≤ kMaxVectors) and KernelMode mode.
using KernelsByHeight = std::array<MicroKernel, kMaxRows + 1>;
using KernelsByWidth = std::array<KernelsByHeight, kMaxVectors + 1>;
template <int Mode, int V, int... H>
constexpr KernelsByHeight kernels_by_height(std::integer_sequence<int, H...>) {
  return {nullptr, micro_kernel<H + 1, V, Mode>...};
}
template <int Mode, int... V>
constexpr KernelsByWidth kernels_by_width(std::integer_sequence<int, V...>) {
  return {KernelsByHeight{}, kernels_by_height<Mode, V + 1>(std::make_integer_sequence<int, kMaxRows>{})...};
}
constexpr std::array<KernelsByWidth, 4> kKernels = {
    kernels_by_width<kPlain>(std::make_integer_sequence<int, kMaxVectors>{}),
    kernels_by_width<kStoresB>(std::make_integer_sequence<int, kMaxVectors>{}),
    kernels_by_width<kFetchesAhead>(std::make_integer_sequence<int, kMaxVectors>{}),
    kernels_by_width<kStoresB | kFetchesAhead>(std::make_integer_sequence<int, kMaxVectors>{})};

// Two row tiles of H rows in one k loop, for a narrow last panel of one vector: one tile alone has H accumulators,
// too few independent FMA chains to cover the FMA latency with every unit busy (2 units × 4 cycles on current x86
// cores; a 6-row tile of the AVX2 build ran its narrow panel at 0.6× the speed of its full ones), and a pair of
// them 2H (0.9×). Tile 0 reads the packed A at ap (H values per k step), tile 1 the one after it, at ap + H·kc;
// their 2H rows of C are consecutive. Each element gets the same FMA chain and epilogue as in micro_kernel.
// 2H accumulators, the B vector and the broadcast A value fit the 16 registers of AVX2 up to H = kMaxPairRows.
constexpr int kMaxPairRows = 7;
template <int H>
void pair_kernel(index_t kc, const float* ap, const float* b, index_t b_stride, float alpha, float beta,
                 const float* bias, float* c, index_t ldc) {
#pragma GCC unroll 16
  for (int i = 0; i < 2 * H; ++i) __builtin_prefetch(c + i * ldc, 1);
  vfloat acc[2 * H][1];
#pragma GCC unroll 16
  for (auto& row : acc) row[0] = simd::broadcast(0.0f);
  const float* ap1 = ap + H * kc;
  for (index_t p = 0; p < kc; ++p, ap += H, ap1 += H, b += b_stride) {
    vfloat bv = simd::load(b);
    simd::pin(bv);
#pragma GCC unroll 16
    for (int i = 0; i < H; ++i) acc[i][0] = simd::fma(simd::broadcast(ap[i]), bv, acc[i][0]);
#pragma GCC unroll 16
    for (int i = 0; i < H; ++i) acc[H + i][0] = simd::fma(simd::broadcast(ap1[i]), bv, acc[H + i][0]);
  }
  write_tile(acc, plain_epilogue(alpha, beta, bias), simd::broadcast(alpha), beta, bias, c, ldc);
}

using PairKernel = void (*)(index_t, const float*, const float*, index_t, float, float, const float*, float*, index_t);
template <int... H>
constexpr std::array<PairKernel, kMaxPairRows + 1> pair_kernels(std::integer_sequence<int, H...>) {
  return {nullptr, pair_kernel<H + 1>...};
}
constexpr auto kPairKernels = pair_kernels(std::make_integer_sequence<int, kMaxPairRows>{});

// A tile of h rows and w < nr columns of a zero-padded panel: the kernel of ⌈w/kW⌉ vectors, straight into C when w
// is whole vectors, else into a temporary tile whose first w columns are copied out.
void narrow_tile(index_t kc, const float* ap, const float* bp, index_t nr, float alpha, float beta, const float* bias,
                 float* c, index_t ldc, index_t h, index_t w, NextBlocks& next) {
  const index_t vectors = ceil_div(w, kW);
  const MicroKernel kernel = kKernels[kPlain][static_cast<std::size_t>(vectors)][static_cast<std::size_t>(h)];
  if (w == vectors * kW) {
    kernel(1, kc, ap, bp, nr, TileStep{}, alpha, beta, bias, c, ldc, next, nullptr, 0);
    return;
  }
  constexpr index_t kTileColumns = kMaxVectors * kW;
  alignas(kAlignment) float tile[kMaxRows * kTileColumns] = {};
  alignas(kAlignment) float padded_bias[kTileColumns] = {};
  if (beta != 0.0f)
    for (index_t i = 0; i < h; ++i) std::copy(c + i * ldc, c + i * ldc + w, tile + i * kTileColumns);
  if (bias) std::copy(bias, bias + w, padded_bias);
  kernel(1, kc, ap, bp, nr, TileStep{}, alpha, beta, bias ? padded_bias : nullptr, tile, kTileColumns, next, nullptr,
         0);
  for (index_t i = 0; i < h; ++i) std::copy(tile + i * kTileColumns, tile + i * kTileColumns + w, c + i * ldc);
}

// Every row tile of a block in a narrow last panel (w < nr columns, packed and zero-padded at bp): two tiles at a time
// with pair_kernel when the panel is one vector wide and they have the same height, else one by one.
void narrow_panel(const Problem& job, const RowTiles& tiles, index_t kcb, const float* ap, const float* bp, index_t w,
                  float beta, const float* bias, float* c, NextBlocks& next) {
  const index_t nr = job.blocking.nr;
  for (index_t q = 0; q < tiles.count; ++q) {
    const index_t s = tiles.start(q), h = tiles.height(q);
    if (w == kW && h <= kMaxPairRows && q + 1 < tiles.count && tiles.height(q + 1) == h) {
      next.advance();
      next.advance();
      kPairKernels[static_cast<std::size_t>(h)](kcb, ap + s * kcb, bp, nr, job.alpha, beta, bias, c + s * job.ldc,
                                                job.ldc);
      ++q;
      continue;
    }
    narrow_tile(kcb, ap + s * kcb, bp, nr, job.alpha, beta, bias, c + s * job.ldc, job.ldc, h, w, next);
  }
}

}  // namespace

void blocked_rect(const Problem& job, index_t i0, index_t i1, index_t j0, index_t j1) {
  if (job.order == GemmLoopOrder::rows_outer) {
    blocked_rect_rows_outer(job, i0, i1, j0, j1);
    return;
  }
  if (i0 >= i1 || j0 >= j1) return;
  const GemmBlocking& t = job.blocking;
  const index_t mr = t.mr, nr = t.nr;
  assert(mr >= 1 && mr <= kMaxRows && t.nv >= 1 && t.nv <= kMaxVectors);
  const index_t rows = i1 - i0, cols = j1 - j0;
  // Blocks as even as the cache limits allow (e.g. 300 rows → 150 + 150, not 144 + 144 + 12).
  const bool few_rows = rows <= t.mc;
  const index_t mc = few_rows ? rows : round_up(ceil_div(rows, ceil_div(rows, t.mc)), mr);
  const index_t nc = round_up(ceil_div(cols, ceil_div(cols, t.nc)), nr);
  float* ap = a_scratch(mc * job.kc + kW);  // + kW: the slack pack_a's whole-vector stores may write
  float* bp = b_scratch(nc * job.kc);
  const std::size_t nv = static_cast<std::size_t>(t.nv);
  const bool packed = job.b_reading == BReading::packed;
  const bool per_panel = job.b_reading == BReading::panel_by_panel;
  const bool reads_packed = packed || per_panel;  // the tiles read packed panels, nr floats per k step
  assert(!per_panel || (job.b.trans && rows <= t.mc));
  // first_tile_packs: a panel's copy goes in the slot of the block's first panel, which only `packed` fills
  float* panel_copy = bp;
  for (index_t jc = j0; jc < j1; jc += nc) {
    const index_t ncb = std::min(nc, j1 - jc);
    for (index_t pc = 0; pc < job.k; pc += job.kc) {
      const index_t kcb = std::min(job.kc, job.k - pc);
      const float beta = pc == 0 ? job.beta : 1.0f;
      const float* bias = pc == 0 ? job.bias : nullptr;  // added once, with the first k step
      if (!per_panel) pack_b_block(job.b, pc, kcb, jc, ncb, nr, !packed, bp);
      // The k step the blocks packed next belong to: the next one of this column block, or the first one of the next
      // column block (none after the last).
      const bool more_k = pc + job.kc < job.k, more = more_k || jc + nc < j1;
      const index_t next_pc = more_k ? pc + job.kc : 0, next_kcb = std::min(job.kc, job.k - next_pc);
      const index_t next_jc = more_k ? jc : jc + nc, next_ncb = std::min(nc, j1 - next_jc);
      // the block of B after this one, fetched a share per tile while this one is used
      NextBlocks next;
      if (packed && more) {
        const index_t calls = ceil_div(i1 - i0, mc) * ceil_div(ncb, nr) * RowTiles(std::min(mc, i1 - i0), mr).count;
        next.b = block_prefetcher(job.b, next_pc, next_kcb, next_jc, next_ncb, calls);
      }
      for (index_t ic = i0; ic < i1; ic += mc) {
        const index_t mcb = std::min(mc, i1 - ic);
        const RowTiles tiles(mcb, mr);
        pack_a(job.a, ic, tiles, pc, kcb, ap);
        // the block of A packed next, fetched a share per tile while this one is used: the next rows, or after the
        // last rows the first ones for the next k step or the next column block (a tall A, e.g. the decoder's
        // 700×10000 gradient of the logits, is streamed from memory once per k step: packing its first block
        // unprefetched waited on memory for a quarter of its packing time with 4 blocks per k step)
        const index_t calls = ceil_div(ncb, nr) * tiles.count;
        if (ic + mc < i1)
          next.a = block_prefetcher(job.a, ic + mc, std::min(mc, i1 - ic - mc), pc, kcb, calls);
        else
          next.a =
              more ? block_prefetcher(job.a, i0, std::min(mc, i1 - i0), next_pc, next_kcb, calls) : LinePrefetcher();
        for (index_t jr = 0; jr < ncb; jr += nr) {
          const index_t w = std::min(nr, ncb - jr);
          const float* bias_panel = bias ? bias + jc + jr : nullptr;
          float* c_panel = job.c + ic * job.ldc + jc + jr;
          // Panel by panel: this panel packed into the first slot, still in L1 from the previous panel's tiles, and
          // the next panel's rows (or the first ones of the next block) fetched a share per tile of this one.
          if (per_panel) {
            pack_b_block(job.b, pc, kcb, jc + jr, w, nr, false, bp);  // one panel, zero-padded past w
            if (jr + nr < ncb)
              next.b = block_prefetcher(job.b, pc, kcb, jc + jr + nr, std::min(nr, ncb - jr - nr), tiles.count);
            else if (more)
              next.b = block_prefetcher(job.b, next_pc, next_kcb, next_jc, std::min(nr, next_ncb), tiles.count);
            else
              next.b = LinePrefetcher();
          }
          const float* packed_panel = per_panel ? bp : bp + jr * kcb;  // (read only when reads_packed)
          if (w < nr) {
            narrow_panel(job, tiles, kcb, ap, packed_panel, w, beta, bias_panel, c_panel, next);
            continue;
          }
          const float* b_panel = reads_packed ? packed_panel : job.b.at(pc, jc + jr);
          index_t b_stride = reads_packed ? nr : job.b.ld;
          index_t done = 0;  // tiles run
          // B not packed up front: the first tile may prefetch a later panel and leave a packed copy of this one
          const index_t ahead = !reads_packed && jr + (kBAheadPanels + 1) * nr <= ncb ? kBAheadPanels * nr : 0;
          const bool stores_b = job.b_reading == BReading::first_tile_packs;
          if (ahead > 0 || stores_b) {
            const int mode = (stores_b ? kStoresB : kPlain) | (ahead > 0 ? kFetchesAhead : kPlain);
            kKernels[static_cast<std::size_t>(mode)][nv][static_cast<std::size_t>(tiles.height(0))](
                1, kcb, ap, b_panel, b_stride, TileStep{}, job.alpha, beta, bias_panel, c_panel, job.ldc, next,
                panel_copy, ahead);
            done = 1;
            if (stores_b) b_panel = panel_copy, b_stride = nr;
          }
          // the other tiles as runs of one height: the first tiles.extra have base + 1 rows, the rest base rows
          const auto run = [&](index_t first, index_t end, index_t height) {
            if (first >= end) return;
            const index_t s0 = tiles.start(first);
            const TileStep down{height * kcb, 0, 0, height * job.ldc};
            kKernels[kPlain][nv][static_cast<std::size_t>(height)](end - first, kcb, ap + s0 * kcb, b_panel, b_stride,
                                                                   down, job.alpha, beta, bias_panel,
                                                                   c_panel + s0 * job.ldc, job.ldc, next, nullptr, 0);
          };
          run(done, tiles.extra, tiles.base + 1);
          run(std::max(done, tiles.extra), tiles.count, tiles.base);
        }
      }
    }
  }
}

// The same products with the roles of the caches swapped (GemmLoopOrder::rows_outer, chosen in ops/gemm.cpp for wide
// C):
//   pc: kc steps of k
//   ic: mc' rows of C          pack op(A)[ic:ic+mc', pc:pc+kc] as row tiles                (L3)
//   jc: nc' columns of C       pack op(B)[pc:pc+kc, jc:jc+nc'] into nr-column panels       (L2)
//   q:  row tiles              one packed A tile, kc×mr, stays in L1
//   jr: nr columns             micro-kernel along the panels of the B block, left to right
// The B block takes the L2 budget the model gives the A block (mc·kc floats), and the A block the last-level
// budget of the B block (nc·kc floats). The micro-kernel now writes C a row tile at a time along its rows (nc'
// contiguous floats per row) instead of a panel at a time down the rows (one 64-byte line per row, each on another
// page when C is wide), and each packed value is used as often as before. The first k step still applies β and the
// bias and every element gets the same FMA chain, so the bits are those of the panels-outer order.
void blocked_rect_rows_outer(const Problem& job, index_t i0, index_t i1, index_t j0, index_t j1) {
  if (i0 >= i1 || j0 >= j1) return;
  const GemmBlocking& t = job.blocking;
  const index_t mr = t.mr, nr = t.nr;
  assert(job.b_reading == BReading::packed);
  const index_t rows = i1 - i0, cols = j1 - j0;
  const index_t max_rows = rows_outer_max_rows(t, job.kc), max_cols = rows_outer_max_cols(t, job.kc);
  const index_t mc = round_up(ceil_div(rows, ceil_div(rows, max_rows)), mr);
  const index_t nc = round_up(ceil_div(cols, ceil_div(cols, max_cols)), nr);
  float* ap = a_scratch(mc * job.kc + kW);  // + kW: the slack pack_a's whole-vector stores may write
  float* bp = b_scratch(nc * job.kc);
  const std::size_t nv = static_cast<std::size_t>(t.nv);
  for (index_t pc = 0; pc < job.k; pc += job.kc) {
    const index_t kcb = std::min(job.kc, job.k - pc);
    const float beta = pc == 0 ? job.beta : 1.0f;
    const float* bias = pc == 0 ? job.bias : nullptr;  // added once, with the first k step
    for (index_t ic = i0; ic < i1; ic += mc) {
      const index_t mcb = std::min(mc, i1 - ic);
      const RowTiles tiles(mcb, mr);
      pack_a(job.a, ic, tiles, pc, kcb, ap);
      for (index_t jc = j0; jc < j1; jc += nc) {
        const index_t ncb = std::min(nc, j1 - jc), full = ncb / nr;
        pack_b_block(job.b, pc, kcb, jc, ncb, nr, false, bp);
        // the B block packed next (the next columns, else the first ones of the next rows or k step), a share per
        // kernel call while this one is used
        NextBlocks next;
        const bool last_cols = jc + nc >= j1, last_rows = ic + mc >= i1;
        if (!(last_cols && last_rows && pc + job.kc >= job.k)) {
          const index_t next_jc = last_cols ? j0 : jc + nc;
          const index_t next_pc = last_cols && last_rows ? pc + job.kc : pc;
          next.b = block_prefetcher(job.b, next_pc, std::min(job.kc, job.k - next_pc), next_jc,
                                    std::min(nc, j1 - next_jc), tiles.count * std::max<index_t>(full, 1));
        }
        const float* bias_block = bias ? bias + jc : nullptr;
        float* c_block = job.c + ic * job.ldc + jc;
        const TileStep along{0, nr * kcb, nr, nr};  // the same A tile, the next B panel, bias values and columns of C
        if (full > 0)
          for (index_t q = 0; q < tiles.count; ++q) {
            const index_t s = tiles.start(q), h = tiles.height(q);
            kKernels[kPlain][nv][static_cast<std::size_t>(h)](full, kcb, ap + s * kcb, bp, nr, along, job.alpha, beta,
                                                              bias_block, c_block + s * job.ldc, job.ldc, next, nullptr,
                                                              0);
          }
        if (full * nr < ncb)
          narrow_panel(job, tiles, kcb, ap, bp + full * nr * kcb, ncb - full * nr, beta,
                       bias_block ? bias_block + full * nr : nullptr, c_block + full * nr, next);
      }
    }
  }
}

}  // namespace tapegrad::ops::gemm_detail
