// GEMM blocking derived from the CPU: the micro-tile and the block sizes kc, mc, nc of the BLIS-style algorithm
// (ops/gemm_blocked.cpp), computed from the register file, the FMA units and the caches with the analytical model of
// Low, Igual, Smith and Quintana-Ortí, "Analytical modeling is enough for high-performance BLIS" (ACM TOMS 2016),
// written out here in this project's terms. Pure functions: the GEMM keeps its per-process result; the tests and
// `tapegrad cpu` call them with any CPU description. docs/gemm-blocking.md has the derivation with numbers.
//
// The algorithm (loops outermost first): jc steps nc columns of C and packs op(B)[pc:pc+kc, jc:jc+nc]; pc steps kc
// of k; ic steps mc rows and packs op(A)[ic:ic+mc, pc:pc+kc] as mr-row micro-panels; jr takes one kc×nr B
// micro-panel; ir runs the micro-kernel on one mr×nr tile of C held in registers, over the kc steps. Per k step the
// micro-kernel loads nv vectors of B and broadcasts mr values of A, and issues mr·nv FMAs.
//
// Notation: W floats per vector, nr = nv·W, S = 4 bytes per float. A cache of `size` bytes with `ways` ways has
// way = size/ways bytes per way (every set's line in one way); for the L1 of x86 cores way = 4 KiB = the page size,
// so a contiguous buffer fills the ways as the model assumes.
//
// Micro-tile (chosen among the tiles the library compiles):
//   registers   mr·nv (accumulators) + nv (B vectors) + 1 (the broadcast A value) ≤ vector_registers
//   latency     mr·nv ≥ fma_units · fma_latency        (independent FMA chains enough to keep every unit busy)
//   loads       fma_units·(mr + nv) ≤ load_ports·mr·nv  (the mr + nv loads of a k step issue in the mr·nv/fma_units
//               cycles its FMAs take; rules out e.g. 8×1 with AVX2: 9 loads in 4 cycles on 2 ports)
//   objective   among the tiles meeting all three, the most FMAs per loaded float, mr·nr / (mr + nr): each A value
//               is used nr times and each B value mr times, so this is the reuse per byte read from the caches (and
//               the ratio Low et al. maximise). Ties: more rows, then the earlier tile in the list.
//
// kc from L1: the B micro-panel (kc·nr·S bytes) stays in L1 while the A micro-panels (mr·kc·S each) stream through
// it, and one way is left for the lines of C:
//   ⌈kc·nr·S / way₁⌉ + ⌈mr·kc·S / way₁⌉ ≤ ways₁ − 1
// With c_A ways for A and c_B = ways₁ − 1 − c_A for B, kc = min(c_A·way₁/(mr·S), c_B·way₁/(nr·S)); the derivation
// tries every split (c_A from 1 to ways₁ − 2, which lands near nr : mr) and keeps the largest kc, rounded down to a
// multiple of 8 and clamped to [64, 1024] when the L1 allows 64 or more. An L1 of fewer than 3 ways cannot meet the
// constraint at any kc (the one unavoidable violation): kc is then sized so both micro-panels fill half the L1,
// kc = ⌊size₁ / (2·(mr + nr)·S)⌋ rounded down to a multiple of 8, at least 8.
//
// mc from L2: the packed A block (mc·kc·S) stays in L2 beside the B micro-panel and one way for C:
//   ⌈mc·kc·S / way₂⌉ + ⌈kc·nr·S / way₂⌉ + 1 ≤ ways₂       and, as headroom,   ⌈mc·kc·S / way₂⌉ ≤ ⌊ways₂ / 2⌋
// The headroom: way₂ (64–128 KiB) is larger than a page, so the sets a virtual buffer lands in depend on which
// physical pages it got (in effect random); the next B micro-panels, the rows of C and the hardware prefetcher also
// pass through L2. Half the ways for A keeps the conflict misses of that random placement rare. mc is the largest
// multiple of mr meeting both.
//
// nc from the last level: the packed B block (kc·nc·S) is read from L3 once per mc rows. With the per-core share of
// L3 (size / shared_by) as the budget (or, without an L3, the L2 itself), A block and B block together fill at most
// three quarters of it, the rest left to C, to the other programs and to the cores' private copies:
//   mc·kc·S + kc·nc·S ≤ ¾ · share
// B gets what A leaves but at least half the budget (mc shrinks when A would take more: a B block of a few panels
// would pack A again every few columns); nc is a multiple of nr, clamped to [4·nr, 8192].
//
// Zen 4 runs a 512-bit FMA as two halves on its 256-bit units (CpuDescription::half_rate_512): for a 16-float build
// its fma_units is 1, so half the chains hide the latency.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ops/cpu_info.hpp"
#include "ops/shape.hpp"

namespace tapegrad::ops {

// What the build's kernels use (not the CPU's maximum).
struct SimdTarget {
  int vector_floats;     // simd::kWidth: 16 (AVX-512), 8 (AVX2), 4 (SSE, NEON)
  int vector_registers;  // 32 with AVX-512 (and on AArch64), 16 otherwise
  int fma_units;         // FMA instructions per cycle at that width: 2, or 1 when 512-bit runs at half rate
  int fma_latency = 4;   // cycles
  int load_ports = 2;    // loads per cycle at that width (2 on every x86 core since Haswell and Zen; some have 3)
};
// simd::kWidth of this build: the floats per vector its kernels use (16 with AVX-512, 8 with AVX2, 4 otherwise).
int build_vector_floats();

// The build's width → registers and units on this CPU. Throws std::invalid_argument unless vector_floats is 4, 8 or
// 16.
SimdTarget simd_target(const CpuDescription& cpu, int vector_floats);

// rows × (vectors · vector_floats) accumulators.
struct MicroTile {
  int rows;
  int vectors;
};

struct GemmBlocking {
  int mr, nv;              // micro-tile: mr rows × nv vectors (nr = nv · vector_floats columns)
  index_t nr, kc, mc, nc;  // kc: k step; mc: rows of packed A per block (multiple of mr); nc: columns of packed B
                           // per block (multiple of nr)
};

// Bounds of the derivation (see the model above).
inline constexpr index_t kBlockingMinKc = 64, kBlockingMaxKc = 1024, kBlockingKcStep = 8;
inline constexpr index_t kBlockingMaxNc = 8192, kBlockingMinNcPanels = 4;

// The L1 data cache and the L2 the model works with: the CPU's, or, where its description lacks one, 32 KiB 8-way
// and 256 KiB 4-way with 64-byte lines. (ops/gemm.cpp's choice of path reads the same.)
CacheLevel modelled_l1(const CpuDescription& cpu);
CacheLevel modelled_l2(const CpuDescription& cpu);

// Chooses among `tiles` (the kernels the library compiles) and derives kc, mc, nc from the caches. An absent L1 or
// L2 (size 0) is taken as 32 KiB 8-way and 256 KiB 4-way; an absent L3 means the L2 is the last level. Throws
// std::invalid_argument when `tiles` is empty. When no tile meets the tile constraints, the one meeting the register
// constraint with the most accumulators is used (blocking_violations names what it misses).
GemmBlocking derive_gemm_blocking(const CpuDescription& cpu, const SimdTarget& target,
                                  std::span<const MicroTile> tiles);

// The model's constraints, each one checked; returns human-readable descriptions of those violated (empty = all
// hold), e.g. "L1: B micro-panel 1 way + A micro-panel 1 way > 2 − 1 ways of 2048 bytes (kc = 16, mr = 6, nr = 16)".
std::vector<std::string> blocking_violations(const CpuDescription& cpu, const SimdTarget& target,
                                             const GemmBlocking& blocking);

// Tiles that fit the target's registers: every mr in [1, 16] and nv in [1, 4] meeting the register constraint (what
// `tapegrad cpu --all-tiles` chooses from; the GEMM passes the tiles it compiles instead).
std::vector<MicroTile> register_tiles(const SimdTarget& target);

}  // namespace tapegrad::ops
