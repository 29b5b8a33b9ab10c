// GEMM: the entry point. Chooses the algorithm from the shape alone (so a given problem is always computed the same
// way), cuts C into one rectangle per thread, and runs the algorithm on each.
//
// Algorithms (ops/gemm_internal.hpp): the blocked, packed BLIS-style GEMM for most shapes; dot products of rows
// when C = A·Bᵀ has few rows (kDotRows) and moderate k, where transposing B into packed panels would cost as much
// as the product; and, for few rows of an untransposed B (at most one block of rows, mc), the blocked GEMM without a
// packing pass over B (panels read in place up to kDirectRows rows, or packed one at a time by the first tile that
// reads them; rows longer than a page prefetched one per k step). These shape thresholds were measured on the
// recurrent-step and decoder shapes (bench/gemm_peers, docs/performance.md); the caches they consult come from the CPU.
//
// Blocking: the micro-tile and kc, mc, nc of the blocked algorithm are derived once per process from the CPU it runs
// on (ops/cpu_info.hpp: caches from sysfs or cpuid, or the TAPEGRAD_CPU_CACHES variable) by the analytical model of
// ops/gemm_blocking.hpp, choosing among the micro-tiles this build compiles (docs/gemm-blocking.md).
//
// Threads: each thread runs the algorithm on its own rectangle of C (rows or columns split, whichever costs least).
// Each C element is written by one thread only and computed the same way whatever the cut, so the result is the
// same for any thread count.
#include "ops/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>

#include "ops/cpu_info.hpp"
#include "ops/error.hpp"
#include "ops/gemm_internal.hpp"
#include "ops/parallel.hpp"

namespace tapegrad::ops {
namespace {

using namespace gemm_detail;

// Few rows of C and an untransposed B: B is not packed up front (Problem::b_reading). Each packed B value would serve
// only ⌈m/mr⌉ tiles, so a packing pass costs about as much as it saves. Measured on the recurrent-step shapes
// (bench/gemm_peers) up to kDirectRows rows:
// - In place (every tile reads the panel where it is) while a row of B is at most a page, and for longer rows up to
//   kDirectLongRows rows always and up to kDirectRows when B's rows are vector-aligned (B and its row stride multiples
//   of a vector: otherwise half the vector loads straddle two cache lines, 0.84× → 0.75× oneDNN at 64 rows with B 16
//   bytes off, as a std::vector gives).
// - The rows of a panel must also fit the L1 sets they fall into (panel_fits_l1): rows a multiple of the line apart
//   all map to a few sets (with N = 1024 or 2048, a stride of 4 or 8 KiB, to a single one of 8 lines) and would evict
//   each other between the row tiles that re-read them. Then, and for unaligned long rows past kDirectLongRows, the
//   first tile of each panel reads it in place and stores a packed copy that the other tiles read
//   (BReading::first_tile_packs): B is still read once, and the copy is written to and read from the L1.
// - Either way the first tile of a panel also prefetches the panel kBAheadPanels on (ops/gemm_internal.hpp), one
//   row per k step: its rows are ldb apart (a page or more for long rows, where no hardware prefetcher looks),
//   and in a training step B (a recurrent weight) comes from L3 or memory, the step's other work having evicted it.
//   All at once before the tiles (a burst of kc prefetches, more than the core can keep in flight) it gained far less
//   on long rows and lost 2–5% on short ones.
// Zen 3, ours / oneDNN (ab harness: thread CPU time, best of 30, alternating; the ranges are two or three runs):
//   20×2600×1300 (LSTM-650 forward b20)  prefetch burst 0.66–0.77  → prefetch per k step 1.12–1.24
//   64×2600×1300 (LSTM-650 forward b64)                 0.70–0.81  →                    0.86–0.97
//   32, 48, 64 ×2600×1300, B 16 bytes off   packed 0.88, 0.77, 0.80  → first tile packs  1.08, 0.90, 0.92
//   GFLOP/s, packed → first tile packs: 20×1024×256 64 → 81, 64×1024×256 73 → 91 (char-LSTM steps, 4×256 gates),
//   20×2048×512 57 → 84, 64×2048×512 67 → 87, 32×2048×1024 60 → 77 (oneDNN: 40–46 on all five)
//   With the caches flushed between calls, as in a step (8 MB written), prefetching short rows too: 20×800×400
//   0.88 → 0.97, 64×800×400 0.92 → 0.95, 128×800×400 0.94 → 1.02, 20×800×200 0.90 → 0.95; GFLOP/s 64×1024×256
//   71 → 77, 32×1024×256 77 → 85; warm, the same within noise.
// The first tile packing when in place is possible cost 3–5% (its stores).
// Past kDirectRows and up to one block of rows (m ≤ mc), every panel of B serves one block of A only: a packing pass
// buys no reuse, and the first tile packs (Zen 3, packed → first tile packs, ours / oneDNN: 96, 128, 160, 204 ×800×400
// 0.88, 0.92, 0.93, 0.95 → 0.98, 0.98, 0.98, 1.00; 128×2600×1300 0.93 → 0.99; 200×800×200 0.93 → 0.99). With more rows
// the packed B is read again by every block, and packing up front stays ahead (1024×1024×1024: 1.07 → 0.98).
constexpr index_t kDirectRows = 64;
constexpr index_t kDirectMaxRowBytes = 4096;
constexpr index_t kDirectLongRows = 24;
bool long_rows(index_t n) { return n * static_cast<index_t>(sizeof(float)) > kDirectMaxRowBytes; }

// This process's CPU (ops/cpu_info.hpp). A malformed TAPEGRAD_CPU_CACHES is the user's setting, reported as such (a
// UsageError naming the variable: the CLI's exit 2), at the first product.
const CpuDescription& described_cpu() {
  try {
    return this_cpu();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// What the choice of path reads of the caches, once per process: the L1 and L2 the blocking model works with
// (modelled_l1/l2: the CPU's, or the model's defaults where the CPU does not describe one).
struct CacheFacts {
  std::int64_t l1_line, l1_ways, l1_sets;
  index_t half_l2;  // bytes
};
const CacheFacts& cache_facts() {
  static const CacheFacts facts = [] {
    const CpuDescription& cpu = described_cpu();
    const CacheLevel l1 = modelled_l1(cpu), l2 = modelled_l2(cpu);
    const std::int64_t line = l1.line_bytes > 0 ? l1.line_bytes : 64, ways = l1.effective_ways();
    return CacheFacts{line, ways, std::max<std::int64_t>(1, l1.size_bytes / (ways * line)),
                      static_cast<index_t>(l2.size_bytes / 2)};
  }();
  return facts;
}

// Whether kc rows of B, ld floats apart, read one line each, stay in the L1 together. A line's set is its line index
// mod the number of sets, so rows a whole number of lines apart visit only sets / gcd(stride in lines, sets) of them,
// each of `ways` lines (rows not a whole number of lines apart drift across every set).
bool panel_fits_l1(index_t ld, index_t kc) {
  const CacheFacts& f = cache_facts();
  const std::int64_t stride = ld * static_cast<index_t>(sizeof(float));
  const std::int64_t visited =
      stride % f.l1_line != 0 ? f.l1_sets : f.l1_sets / std::gcd(stride / f.l1_line, f.l1_sets);
  return kc <= visited * f.l1_ways;
}

// B transposed and one block of rows (m ≤ mc): each panel is packed right before its tiles, into a slot that stays in
// L1, with the next panel's rows fetched a share per tile (BReading::panel_by_panel). Packing the whole block first
// wrote it out (kc × n floats: 600 KB for a 2×512 char-LSTM step's dh, 64×512×2048) and read it back from L2 or L3, and
// nothing overlapped the transposes with the FMAs: packing was 16% of that product. Zen 3, ours / oneDNN within a
// round (old and new binaries alternating, one thread): 64×512×2048 0.98–1.01 → 1.06–1.07, 64×256×1024 1.03 → 1.07,
// 128×800×400 0.99 → 1.01, 200×800×400 1.02 → 1.05.
BReading b_reading(bool trans_b, index_t m, index_t n, const float* b, index_t ldb, index_t kc, index_t mc) {
  if (m > mc) return BReading::packed;
  if (trans_b) return BReading::panel_by_panel;
  if (m > kDirectRows) return BReading::first_tile_packs;
  const bool aligned = reinterpret_cast<std::uintptr_t>(b) % (kW * sizeof(float)) == 0 && ldb % kW == 0;
  const bool in_place = !long_rows(n) || m <= kDirectLongRows || aligned;
  return in_place && panel_fits_l1(ldb, kc) ? BReading::in_place : BReading::first_tile_packs;
}
constexpr index_t kDotRows = 64;    // up to this many rows of C (and k ≤ kDotMaxK), C = A·Bᵀ as dot products
constexpr index_t kDotMaxK = 4096;  // longer rows would stream from L3 once per tile: the blocked algorithm wins
// Above kDotAlwaysRows rows, dot products only while A fits half the L2: the tiles re-read A once per kCols rows of
// B. Zen 3, ours / oneDNN, dot → blocked: 64×512×2048 (a 2×512 char-LSTM step's dh) 0.84 → 0.92, 64×256×1024
// 0.83 → 0.96; with A in half the L2 dot products stay ahead: 64×400×800 0.88 / 0.85, 32×400×800 1.00 / 0.83.
constexpr index_t kDotAlwaysRows = 32;
bool as_dot_products(bool trans_a, bool trans_b, index_t m, index_t k) {
  if (trans_a || !trans_b || m > kDotRows || k > kDotMaxK) return false;
  return m <= kDotAlwaysRows || m * k * static_cast<index_t>(sizeof(float)) < cache_facts().half_l2;
}
// The loop order of a product whose B is packed (gemm_blocked.cpp has both): rows outer when a thread's columns make
// at least kRowsOuterMinBlocks B blocks of the L2 budget, i.e. a wide C. Written a row tile at a time along its rows,
// C streams in long runs, where the panels-outer order writes it a 64-byte line per row, each row of a wide C on
// another page. Zen 3, one thread, best of 10, panels → rows outer (oneDNN alongside): the decoder's output
// 700×10000×200 86.7 → 90.4, 86.3 → 93.6, 83.7 → 90.1 GFLOP/s (oneDNN 92.5, 92.2), two threads 143.7 → 156.4,
// 158.2 → 172.2 (oneDNN 136.5, 146.9); 200×10000×700 Aᵀ, 1024² and 6400×2048×512 moved within the noise either
// way, and with a narrow C (10000×200×700 Aᵀ, one B block: all of A packed into the last level) it lost 12%.
// Rows outer too for a short k step (at most the model's kc / kRowsOuterShortK): a tile then does k FMAs per element
// of C before writing it, so the walk over C weighs most, and down a panel it is a line per row (with ldc a multiple
// of 4 KiB, every row's line in the same L1 set). Zen 3, one thread, ours / oneDNN within a round, panels → rows
// outer, two runs each: 1024×1024×20 0.90 / 0.90 → 0.97 / 1.00, 400×800×20 Aᵀ 0.92 / 0.91 → 0.94 / 0.95 (and
// 0.95 / 0.94 / 0.94 → 0.97 / 0.98 / 0.96 in an earlier series), 800×400×20 Aᵀ 0.92 / 0.92 → 0.93 / 0.94,
// 2000×400×20 Aᵀ 1.00 / 0.93 → 0.97 / 0.96; at k = 64 (400×800×64 Aᵀ) no difference, hence the bound.
constexpr index_t kRowsOuterMinBlocks = 4;
constexpr index_t kRowsOuterShortK = 8;
std::atomic<GemmLoopOrder> forced_order{GemmLoopOrder::automatic};
GemmLoopOrder loop_order(const GemmBlocking& t, index_t kc, BReading reading, index_t cols) {
  if (reading != BReading::packed) return GemmLoopOrder::panels_outer;
  const GemmLoopOrder forced = forced_order.load(std::memory_order_relaxed);
  if (forced != GemmLoopOrder::automatic) return forced;
  const bool wide_c = cols >= kRowsOuterMinBlocks * rows_outer_max_cols(t, kc);
  const bool short_k = kc * kRowsOuterShortK <= t.kc;
  return wide_c || short_k ? GemmLoopOrder::rows_outer : GemmLoopOrder::panels_outer;
}
// Products of at most this many multiply-adds run on the calling thread. At ~100 GFLOP/s a core does 2¹⁹ of them in
// ~10 µs, so splitting a smaller product saves a few µs against a fork/join of ~1 µs when the workers are spinning,
// tens of µs when they sleep, and a scheduler time slice (ms) when one of them shares its core with a busy process.
// (2¹⁵, the element threshold, made the tiny GRU of bench/busy_threads fork ~135 times per step; 2¹⁹: ~14.)
constexpr index_t kGemmParallelThreshold = index_t{1} << 19;

// C cut into parts_m row bands × parts_n column bands; band sizes are whole micro-tiles except the last.
struct Split {
  index_t parts_m = 1, parts_n = 1;
  index_t rows = 0, cols = 0;  // band size
};

Split make_split(const GemmBlocking& t, index_t m, index_t n, index_t parts_m, index_t parts_n) {
  const index_t mr = t.mr, nr = t.nr;
  return {parts_m, parts_n, ceil_div(ceil_div(m, mr), parts_m) * mr, ceil_div(ceil_div(n, nr), parts_n) * nr};
}

// Rough cost of the busiest thread, in multiply-adds: its padded tiles times k, plus packing (a packed float costs
// about as much as kPackCost multiply-adds; A is packed once per column block, B once).
index_t split_cost(const GemmBlocking& t, const Split& s, index_t k) {
  constexpr index_t kPackCost = 32;
  const index_t packed = s.rows * k * ceil_div(s.cols, t.nc) + s.cols * k;
  return s.rows * s.cols * k + kPackCost * packed;
}

// The cheapest way to give each of `threads` threads one rectangle.
Split choose_split(const GemmBlocking& t, index_t m, index_t n, index_t k, index_t threads) {
  Split best = make_split(t, m, n, 1, threads);
  for (index_t pm = 2; pm <= threads; ++pm) {
    if (threads % pm != 0) continue;
    const Split s = make_split(t, m, n, pm, threads / pm);
    if (split_cost(t, s, k) < split_cost(t, best, k)) best = s;
  }
  return best;
}

// C = β·C (+ bias) (k = 0 or α = 0: the product contributes nothing); β = 0 writes without reading C.
void scale_c(index_t m, index_t n, float beta, const float* bias, float* c, index_t ldc) {
  for (index_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    for (index_t j = 0; j < n; ++j) {
      const float add = bias ? bias[j] : 0.0f;
      row[j] = beta == 0.0f ? add : beta * row[j] + add;
    }
  }
}

std::atomic<std::uint64_t> multiply_adds{0};

// Per-shape timing (set_gemm_shape_timing): the shapes seen while it was on, in order of first appearance.
std::atomic<bool> shape_timing{false};
std::mutex shape_times_mutex;
std::vector<GemmShapeTime> shape_times;

void add_shape_time(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, double seconds) {
  const std::lock_guard<std::mutex> lock(shape_times_mutex);
  for (GemmShapeTime& e : shape_times)
    if (e.trans_a == trans_a && e.trans_b == trans_b && e.m == m && e.n == n && e.k == k) {
      ++e.calls;
      e.seconds += seconds;
      return;
    }
  shape_times.push_back({trans_a, trans_b, m, n, k, 1, seconds});
}

// The tiles compiled into this build (gemm_internal.hpp's kernel table covers them): with AVX-512's 32 registers up
// to 24 accumulators (BLIS uses 12 × 32 on that ISA); with 16 registers up to 12.
#if defined(__AVX512F__)
constexpr MicroTile kTiles[] = {{12, 2}, {8, 3}, {6, 4}, {6, 2}};
#else
constexpr MicroTile kTiles[] = {{6, 2}, {4, 3}, {5, 2}, {4, 2}};
#endif

GemmBlocking derived_blocking() {
  const CpuDescription& cpu = described_cpu();
  return derive_gemm_blocking(cpu, simd_target(cpu, build_vector_floats()), kTiles);
}

GemmBlocking& process_blocking() {
  static GemmBlocking b = derived_blocking();
  return b;
}

// The product itself (gemm_bias adds the per-shape timing around it when that is on).
void gemm_untimed(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
                  const float* b, index_t ldb, float beta, const float* bias, float* c, index_t ldc) {
  assert(m >= 0 && n >= 0 && k >= 0);
  assert(lda >= (trans_a ? m : k) && ldb >= (trans_b ? k : n) && ldc >= n);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    if (beta != 1.0f || bias) scale_c(m, n, beta, bias, c, ldc);
    return;
  }
  multiply_adds.fetch_add(static_cast<std::uint64_t>(m) * static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(k),
                          std::memory_order_relaxed);
  const bool dot = as_dot_products(trans_a, trans_b, m, k);
  const GemmBlocking& blocking = process_blocking();
  // k steps as even as possible (k = 300 → 150 + 150), fixed by k and the blocking alone
  const index_t kc = ceil_div(k, ceil_div(k, blocking.kc));
  const BReading reading = b_reading(trans_b, m, n, b, ldb, kc, blocking.mc);
  const index_t threads = threads_for(m * n * k, kGemmParallelThreshold);
  const bool parallel = threads > 1;
  const Split s = choose_split(blocking, m, n, k, threads);
  const Problem job{{a, lda, trans_a},
                    {b, ldb, trans_b},
                    m,
                    n,
                    k,
                    alpha,
                    beta,
                    c,
                    ldc,
                    bias,
                    blocking,
                    kc,
                    reading,
                    loop_order(blocking, kc, reading, s.cols),
                    dot ? cache_facts().half_l2 : 0};
#pragma omp parallel for schedule(static) num_threads(static_cast <int>(threads)) if (parallel)
  for (index_t t = 0; t < threads; ++t) {
    const index_t bi = t / s.parts_n, bj = t % s.parts_n;
    const index_t i0 = bi * s.rows, i1 = std::min(m, (bi + 1) * s.rows);
    const index_t j0 = bj * s.cols, j1 = std::min(n, (bj + 1) * s.cols);
    if (dot)
      dot_rect(job, i0, i1, j0, j1);
    else
      blocked_rect(job, i0, i1, j0, j1);
  }
}

}  // namespace

std::uint64_t gemm_multiply_adds() { return multiply_adds.load(std::memory_order_relaxed); }

std::span<const MicroTile> gemm_tiles() { return kTiles; }

GemmBlocking gemm_blocking() { return process_blocking(); }

void set_gemm_blocking(const GemmBlocking& b) {
  const auto fail = [&](const std::string& what) {
    throw UsageError("set_gemm_blocking: " + what + " (mr " + std::to_string(b.mr) + ", nv " + std::to_string(b.nv) +
                     ", nr " + std::to_string(b.nr) + ", kc " + std::to_string(b.kc) + ", mc " + std::to_string(b.mc) +
                     ", nc " + std::to_string(b.nc) + ")");
  };
  if (std::none_of(std::begin(kTiles), std::end(kTiles),
                   [&](const MicroTile& t) { return t.rows == b.mr && t.vectors == b.nv; }))
    fail("the micro-tile " + std::to_string(b.mr) + "x" + std::to_string(b.nv) + " is not compiled in this build");
  if (b.nr != b.nv * kW) fail("nr must be nv x " + std::to_string(kW));
  if (b.kc < 1) fail("kc must be at least 1");
  if (b.mc < b.mr || b.mc % b.mr != 0) fail("mc must be a positive multiple of mr");
  if (b.nc < b.nr || b.nc % b.nr != 0) fail("nc must be a positive multiple of nr");
  process_blocking() = b;
}

void set_gemm_loop_order(GemmLoopOrder order) { forced_order.store(order, std::memory_order_relaxed); }

void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
          const float* b, index_t ldb, float beta, float* c, index_t ldc) {
  gemm_bias(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, nullptr, c, ldc);
}

void set_gemm_shape_timing(bool on) {
  const std::lock_guard<std::mutex> lock(shape_times_mutex);
  if (on) shape_times.clear();
  shape_timing.store(on, std::memory_order_relaxed);
}

std::vector<GemmShapeTime> gemm_shape_times() {
  std::vector<GemmShapeTime> table;
  {
    const std::lock_guard<std::mutex> lock(shape_times_mutex);
    table = shape_times;
  }
  std::stable_sort(table.begin(), table.end(),
                   [](const GemmShapeTime& x, const GemmShapeTime& y) { return x.seconds > y.seconds; });
  return table;
}

void gemm_bias(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
               const float* b, index_t ldb, float beta, const float* bias, float* c, index_t ldc) {
  if (!shape_timing.load(std::memory_order_relaxed)) {
    gemm_untimed(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, bias, c, ldc);
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  gemm_untimed(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, bias, c, ldc);
  add_shape_time(trans_a, trans_b, m, n, k,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace tapegrad::ops
