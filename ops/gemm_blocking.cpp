// The analytical GEMM blocking model of ops/gemm_blocking.hpp: the tile choice, kc from L1, mc from L2, nc from the
// last level, and the check of every constraint.
#include "ops/gemm_blocking.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "ops/simd.hpp"

namespace tapegrad::ops {

CacheLevel modelled_l1(const CpuDescription& cpu) {
  return cpu.l1d.present() ? cpu.l1d : CacheLevel{32 << 10, 8, 64, 1};
}
CacheLevel modelled_l2(const CpuDescription& cpu) {
  return cpu.l2.present() ? cpu.l2 : CacheLevel{256 << 10, 4, 64, 1};
}

namespace {

constexpr index_t kFloat = 4;  // S: bytes per float

index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }
index_t floor_to(index_t a, index_t step) { return a / step * step; }

// The caches the model works with: absent L1/L2 replaced by small defaults, unknown ways by 8 (CacheLevel).
struct Caches {
  index_t way1, ways1, size1;
  index_t way2, ways2, size2;
  index_t last_share;  // the budget level of nc: L3 per-core share, or L2 when there is no L3
};

Caches model_caches(const CpuDescription& cpu) {
  const CacheLevel l1 = modelled_l1(cpu), l2 = modelled_l2(cpu);
  Caches c{};
  c.size1 = l1.size_bytes;
  c.ways1 = l1.effective_ways();
  c.way1 = std::max<index_t>(1, l1.way_bytes());
  c.size2 = l2.size_bytes;
  c.ways2 = l2.effective_ways();
  c.way2 = std::max<index_t>(1, l2.way_bytes());
  c.last_share = cpu.l3.present() ? cpu.l3.share_bytes() : l2.size_bytes;
  return c;
}

// ¾ of the last level's share: what packed A and packed B may take together.
index_t last_level_budget(const Caches& c) { return c.last_share / 4 * 3; }
// The ways of L2 the packed A block may take (headroom: half of them).
index_t l2_headroom_ways(const Caches& c) { return c.ways2 / 2; }

bool fits_registers(const SimdTarget& t, const MicroTile& m) {
  return m.rows >= 1 && m.vectors >= 1 && m.rows * m.vectors + m.vectors + 1 <= t.vector_registers;
}
bool hides_latency(const SimdTarget& t, const MicroTile& m) {
  return m.rows * m.vectors >= t.fma_units * t.fma_latency;
}
bool loads_keep_up(const SimdTarget& t, const MicroTile& m) {
  return t.fma_units * (m.rows + m.vectors) <= t.load_ports * m.rows * m.vectors;
}

// a better than b: more FMAs per loaded float mr·nr/(mr+nr), compared exactly by cross-multiplying; then more rows.
bool better_tile(const SimdTarget& t, const MicroTile& a, const MicroTile& b) {
  const std::int64_t ar = a.rows, an = std::int64_t{a.vectors} * t.vector_floats;
  const std::int64_t br = b.rows, bn = std::int64_t{b.vectors} * t.vector_floats;
  const std::int64_t lhs = ar * an * (br + bn), rhs = br * bn * (ar + an);
  if (lhs != rhs) return lhs > rhs;
  return a.rows > b.rows;
}

MicroTile choose_tile(const SimdTarget& t, std::span<const MicroTile> tiles) {
  const MicroTile* best = nullptr;
  for (const MicroTile& m : tiles)
    if (fits_registers(t, m) && hides_latency(t, m) && loads_keep_up(t, m) && (!best || better_tile(t, m, *best)))
      best = &m;
  if (best) return *best;
  // Nothing meets all three: the most accumulators that fit the registers, else the first tile.
  for (const MicroTile& m : tiles)
    if (fits_registers(t, m) && (!best || m.rows * m.vectors > best->rows * best->vectors)) best = &m;
  return best ? *best : tiles.front();
}

// The largest kc meeting the L1 constraint with c_A ways for A and ways₁ − 1 − c_A for B; 0 when ways₁ < 3.
index_t largest_l1_kc(const Caches& c, index_t mr, index_t nr) {
  index_t best = 0;
  for (index_t ca = 1; ca <= c.ways1 - 2; ++ca) {
    const index_t cb = c.ways1 - 1 - ca;
    best = std::max(best, std::min(ca * c.way1 / (mr * kFloat), cb * c.way1 / (nr * kFloat)));
  }
  return best;
}

index_t derive_kc(const Caches& c, index_t mr, index_t nr) {
  const index_t kc = floor_to(largest_l1_kc(c, mr, nr), kBlockingKcStep);
  if (kc >= kBlockingMinKc) return std::min(kc, kBlockingMaxKc);
  if (kc >= kBlockingKcStep) return kc;  // a small L1: a short k step that still holds
  // Fewer than 3 ways (or micro-panels too wide for one way): the constraint cannot hold; half the L1 for both
  // micro-panels.
  return std::max(kBlockingKcStep, floor_to(c.size1 / (2 * (mr + nr) * kFloat), kBlockingKcStep));
}

index_t derive_mc(const Caches& c, index_t mr, index_t nr, index_t kc) {
  const index_t b_ways = ceil_div(kc * nr * kFloat, c.way2);
  const index_t a_ways = std::min(c.ways2 - 1 - b_ways, l2_headroom_ways(c));
  if (a_ways < 1) return mr;  // an L2 of 2 ways or fewer: unavoidable violation, the smallest block
  return std::max(mr, floor_to(a_ways * c.way2 / (kc * kFloat), mr));
}

}  // namespace

int build_vector_floats() { return static_cast<int>(simd::kWidth); }

SimdTarget simd_target(const CpuDescription& cpu, int vector_floats) {
  if (vector_floats != 4 && vector_floats != 8 && vector_floats != 16)
    throw std::invalid_argument("simd_target: vector_floats must be 4, 8 or 16, got " + std::to_string(vector_floats));
  SimdTarget t{};
  t.vector_floats = vector_floats;
#if defined(__aarch64__)
  t.vector_registers = 32;
#else
  t.vector_registers = vector_floats == 16 ? 32 : 16;
#endif
  t.fma_units = vector_floats == 16 && cpu.half_rate_512 ? 1 : 2;
  return t;
}

GemmBlocking derive_gemm_blocking(const CpuDescription& cpu, const SimdTarget& target,
                                  std::span<const MicroTile> tiles) {
  if (tiles.empty()) throw std::invalid_argument("derive_gemm_blocking: the list of micro-tiles is empty");
  if (target.vector_floats < 1)
    throw std::invalid_argument("derive_gemm_blocking: vector_floats must be at least 1, got " +
                                std::to_string(target.vector_floats));
  const Caches c = model_caches(cpu);
  const MicroTile tile = choose_tile(target, tiles);
  GemmBlocking b{};
  b.mr = tile.rows;
  b.nv = tile.vectors;
  b.nr = index_t{tile.vectors} * target.vector_floats;
  const index_t mr = b.mr, nr = b.nr;
  b.kc = derive_kc(c, mr, nr);
  b.mc = derive_mc(c, mr, nr, b.kc);

  // The last level: A block + B block ≤ budget, B at least half of it.
  const index_t budget = last_level_budget(c);
  const index_t row_bytes = b.kc * kFloat;  // one row of packed A or one column of packed B
  index_t b_bytes = std::max(budget - b.mc * row_bytes, budget / 2);
  if (b.mc * row_bytes + b_bytes > budget) b.mc = std::max(mr, floor_to((budget - b_bytes) / row_bytes, mr));
  const index_t min_nc = kBlockingMinNcPanels * nr, max_nc = std::max(min_nc, floor_to(kBlockingMaxNc, nr));
  b.nc = std::clamp(floor_to(b_bytes / row_bytes, nr), min_nc, max_nc);
  // At the minimum nc, A may have to shrink again (small last levels).
  if (b.mc * row_bytes + b.nc * row_bytes > budget)
    b.mc = std::max(mr, floor_to((budget - b.nc * row_bytes) / row_bytes, mr));
  return b;
}

std::vector<std::string> blocking_violations(const CpuDescription& cpu, const SimdTarget& t, const GemmBlocking& b) {
  std::vector<std::string> out;
  const auto s = [](index_t v) { return std::to_string(v); };
  const auto ways = [](index_t v) { return std::to_string(v) + (v == 1 ? " way" : " ways"); };
  const MicroTile tile{b.mr, b.nv};
  const std::string tile_name = s(b.mr) + "×" + s(b.nv) + " vectors";
  if (b.mr < 1 || b.nv < 1 || b.nr != index_t{b.nv} * t.vector_floats || b.kc < 1 || b.mc < 1 || b.nc < 1) {
    out.push_back("shape: mr = " + s(b.mr) + ", nv = " + s(b.nv) + ", nr = " + s(b.nr) + " (must be nv·" +
                  s(t.vector_floats) + "), kc = " + s(b.kc) + ", mc = " + s(b.mc) + ", nc = " + s(b.nc) +
                  " must all be positive");
    return out;  // the rest divides by these
  }
  if (!fits_registers(t, tile))
    out.push_back("registers: tile " + tile_name + " needs " + s(b.mr * b.nv) + " accumulators + " + s(b.nv) +
                  " B vectors + 1 broadcast = " + s(b.mr * b.nv + b.nv + 1) + " > " + s(t.vector_registers) +
                  " vector registers");
  if (!hides_latency(t, tile))
    out.push_back("latency: tile " + tile_name + " has " + s(b.mr * b.nv) + " independent FMA chains < " +
                  s(t.fma_units) + " units × " + s(t.fma_latency) + " cycles");
  if (!loads_keep_up(t, tile))
    out.push_back("loads: tile " + tile_name + " issues " + s(b.mr + b.nv) + " loads per k step in " + s(b.mr * b.nv) +
                  "/" + s(t.fma_units) + " cycles of FMAs, more than " + s(t.load_ports) + " per cycle");
  if (b.mc % b.mr != 0) out.push_back("shape: mc = " + s(b.mc) + " is not a multiple of mr = " + s(b.mr));
  if (b.nc % b.nr != 0) out.push_back("shape: nc = " + s(b.nc) + " is not a multiple of nr = " + s(b.nr));

  const Caches c = model_caches(cpu);
  const index_t b_panel = b.kc * b.nr * kFloat, a_panel = b.mr * b.kc * kFloat, a_block = b.mc * b.kc * kFloat;
  const index_t l1_b = ceil_div(b_panel, c.way1), l1_a = ceil_div(a_panel, c.way1);
  if (l1_b + l1_a > c.ways1 - 1)
    out.push_back("L1: B micro-panel " + ways(l1_b) + " + A micro-panel " + ways(l1_a) + " > " + s(c.ways1) +
                  " − 1 ways of " + s(c.way1) + " bytes (kc = " + s(b.kc) + ", mr = " + s(b.mr) + ", nr = " + s(b.nr) +
                  ")");
  const index_t l2_a = ceil_div(a_block, c.way2), l2_b = ceil_div(b_panel, c.way2);
  if (l2_a + l2_b + 1 > c.ways2)
    out.push_back("L2: A block " + ways(l2_a) + " + B micro-panel " + ways(l2_b) + " + 1 way for C > " + s(c.ways2) +
                  " ways of " + s(c.way2) + " bytes (mc = " + s(b.mc) + ", kc = " + s(b.kc) + ")");
  if (l2_a > l2_headroom_ways(c))
    out.push_back("L2 headroom: A block " + ways(l2_a) + " > half of the " + s(c.ways2) + " ways (mc = " + s(b.mc) +
                  ", kc = " + s(b.kc) + ")");
  const index_t b_block = b.kc * b.nc * kFloat, budget = last_level_budget(c);
  if (a_block + b_block > budget)
    out.push_back(std::string(cpu.l3.present() ? "L3" : "L2 (no L3)") + ": A block " + s(a_block) +
                  " bytes + B block " + s(b_block) + " bytes > ¾ of the per-core share " + s(c.last_share) +
                  " bytes (mc = " + s(b.mc) + ", nc = " + s(b.nc) + ", kc = " + s(b.kc) + ")");
  return out;
}

std::vector<MicroTile> register_tiles(const SimdTarget& target) {
  std::vector<MicroTile> out;
  for (int nv = 1; nv <= 4; ++nv)
    for (int mr = 1; mr <= 16; ++mr)
      if (fits_registers(target, {mr, nv})) out.push_back({mr, nv});
  return out;
}

}  // namespace tapegrad::ops
