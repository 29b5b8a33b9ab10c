// The CPU description (ops/cpu_info.hpp) and the GEMM blocking model (ops/gemm_blocking.hpp).
//
// For six literal CPU descriptions the derived blocking must pass the model's own check, and also the values worked
// out by hand below from the formulas of ops/gemm_blocking.hpp (every number in the comments is computed from the
// cache sizes, not read from the code's output), plus bounds that follow from the caches alone. Then: the half-rate
// flag and the latency constraint, the TAPEGRAD_CPU_CACHES parser (good and bad specs), detection on this machine
// with and without the variable, and the sysfs reader on a fake directory tree.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/cpu_info.hpp"
#include "ops/gemm_blocking.hpp"

using namespace tapegrad;
using namespace tapegrad::ops;

namespace {

constexpr std::int64_t KiB = 1024, MiB = 1024 * 1024;

// The tiles the GEMM is expected to compile (the lead's list) plus AVX-512-sized ones.
const std::vector<MicroTile> kTiles = {{6, 2}, {4, 3}, {8, 1}, {4, 2}, {12, 2}, {8, 3}, {6, 4}};

CpuDescription cpu_with(CacheLevel l1, CacheLevel l2, CacheLevel l3, bool avx512, bool half_rate) {
  CpuDescription c;
  c.model_name = "test CPU";
  c.avx2 = c.fma = true;
  c.avx512f = avx512;
  c.half_rate_512 = half_rate;
  c.l1d = l1;
  c.l2 = l2;
  c.l3 = l3;
  c.cache_source = "test";
  return c;
}

// Intel Sapphire Rapids (Xeon 8480+: 56 cores, 2 threads each, 105 MiB L3 per socket).
CpuDescription sapphire_rapids() {
  return cpu_with({48 * KiB, 12, 64, 2}, {2 * MiB, 16, 64, 2}, {105 * MiB, 15, 64, 112}, true, false);
}
// AMD Zen 4 (EPYC 9004: a CCD of 8 cores × 2 threads shares 32 MiB of L3).
CpuDescription zen4() {
  return cpu_with({32 * KiB, 8, 64, 2}, {1 * MiB, 8, 64, 2}, {32 * MiB, 16, 64, 16}, true, true);
}
// AMD Zen 3 (EPYC 7003, this machine's CPU): same CCD layout, 512 KiB L2, no AVX-512.
CpuDescription zen3() {
  return cpu_with({32 * KiB, 8, 64, 2}, {512 * KiB, 8, 64, 2}, {32 * MiB, 16, 64, 16}, false, false);
}
// An AVX2 desktop (Skylake client, 4 cores × 2 threads).
CpuDescription skylake_client() {
  return cpu_with({32 * KiB, 8, 64, 2}, {256 * KiB, 4, 64, 2}, {8 * MiB, 16, 64, 8}, false, false);
}
// A tiny cache: 4 KiB 2-way L1, 32 KiB 4-way L2, no L3.
CpuDescription tiny() { return cpu_with({4 * KiB, 2, 64, 1}, {32 * KiB, 4, 64, 1}, {}, false, false); }

SimdTarget target(const CpuDescription& cpu, int floats) { return simd_target(cpu, floats); }

// Bounds that follow from the caches whatever the tile: the two L1 micro-panels fit the L1 minus one way, the A block
// half the L2, A block + B block three quarters of the last level's per-core share.
void check_cache_bounds(const CpuDescription& cpu, const GemmBlocking& b) {
  const std::int64_t l1_way = cpu.l1d.size_bytes / cpu.l1d.ways;
  BOOST_TEST(b.kc * (b.nr + b.mr) * 4 <= (cpu.l1d.ways - 1) * l1_way);
  BOOST_TEST(b.mc * b.kc * 4 <= cpu.l2.size_bytes / 2);
  const std::int64_t share = cpu.l3.size_bytes > 0 ? cpu.l3.size_bytes / cpu.l3.shared_by : cpu.l2.size_bytes;
  BOOST_TEST((b.mc + b.nc) * b.kc * 4 <= share * 3 / 4);
  BOOST_TEST(b.mc % b.mr == 0);
  BOOST_TEST(b.nc % b.nr == 0);
  BOOST_TEST(b.nc >= 4 * b.nr);
}

void check_blocking(const GemmBlocking& b, int mr, int nv, std::int64_t nr, std::int64_t kc, std::int64_t mc,
                    std::int64_t nc) {
  BOOST_TEST(b.mr == mr);
  BOOST_TEST(b.nv == nv);
  BOOST_TEST(b.nr == nr);
  BOOST_TEST(b.kc == kc);
  BOOST_TEST(b.mc == mc);
  BOOST_TEST(b.nc == nc);
}

bool has_violation(const std::vector<std::string>& v, const std::string& prefix) {
  for (const auto& s : v)
    if (s.starts_with(prefix)) return true;
  return false;
}

// Sets (or unsets) an environment variable for one scope and restores what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The message of the std::invalid_argument that apply_cpu_override throws for spec ("" when it does not throw).
std::string override_error(const std::string& spec) {
  try {
    apply_cpu_override(CpuDescription{}, spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gemm_blocking)

// AVX-512 at full rate, 32 registers. Tiles: 12×2 uses 24 + 2 + 1 = 27 registers, 24 ≥ 2·4 chains, 2·14 ≤ 2·24 loads;
// it has the most FMAs per float, 12·32/(12 + 32) = 8.7 (8×3: 6.9, 6×4: 5.5, 6×2: 5.1; 8×1 fails the loads:
// 2·9 > 2·8). kc: 4 KiB ways, 11 for A + B; A takes 48 B and B 128 B per k step; 3 ways for A give
// min(3·4096/48, 8·4096/128) = min(256, 256) = 256, the best split. mc from L2 (128 KiB ways, the 32 KiB B panel in
// 1 way, A in min(16 − 2, 16/2) = 8 ways = 1 MiB): 1020 rows; but the L3 share 105 MiB/112 = 983040 B gives a
// budget of 737280 B, of which B keeps half, 368640 B: mc = ⌊368640/1024⌋ = 360 (a multiple of 12), nc = 360 → 352.
BOOST_AUTO_TEST_CASE(sapphire_rapids_avx512) {
  const CpuDescription cpu = sapphire_rapids();
  const SimdTarget t = target(cpu, 16);
  BOOST_TEST(t.vector_registers == 32);
  BOOST_TEST(t.fma_units == 2);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  BOOST_TEST(blocking_violations(cpu, t, b).empty());
  check_blocking(b, 12, 2, 32, 256, 360, 352);
  BOOST_TEST(b.kc * b.nr * 4 <= 48 * KiB * 11 / 12);  // the B micro-panel leaves a way of L1 free
  check_cache_bounds(cpu, b);
}

// Zen 4, 16-float build: 512-bit FMAs at half rate, so 1 unit and 4 chains suffice; 12×2 is again the best tile.
// kc: 8 ways of 4 KiB, 7 for A + B: 2 ways for A give min(2·4096/48, 5·4096/128) = min(170, 160) = 160 (3 ways:
// min(256, 128)). mc: 128 KiB ways, the 20 KiB B panel in 1, A in min(8 − 2, 4) = 4 ways = 512 KiB:
// ⌊524288/640⌋ = 819 → 816. L3 share 2 MiB, budget 1572864 B; A takes 816·640 = 522240, B the rest, 1050624 B:
// nc = ⌊1050624/640⌋ = 1641 → 1632.
BOOST_AUTO_TEST_CASE(zen4_avx512_half_rate) {
  const CpuDescription cpu = zen4();
  const SimdTarget t = target(cpu, 16);
  BOOST_TEST(t.fma_units == 1);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  BOOST_TEST(blocking_violations(cpu, t, b).empty());
  check_blocking(b, 12, 2, 32, 160, 816, 1632);
  check_cache_bounds(cpu, b);
  // Its L2 is half of Sapphire Rapids': the A block is held under half of 1 MiB.
  BOOST_TEST(b.kc * b.mc * 4 <= 512 * KiB);
  // An AVX2 build on the same CPU runs at full rate (256-bit units).
  BOOST_TEST(target(cpu, 8).fma_units == 2);
}

// Zen 3, AVX2 (8 floats, 16 registers): 6×2 (15 registers, 12 chains, 2·8 ≤ 2·12 loads, 96/22 = 4.4 FMAs per float)
// beats 4×3 (96/28 = 3.4) and 4×2 (3.2); 8×1 fails the loads (2·9 > 2·8), the AVX-512 tiles the registers. kc: A 24 B
// and B 64 B per k step; 2 ways for A: min(2·4096/24, 5·4096/64) = min(341, 320) = 320. mc: 64 KiB ways, B panel
// 20 KiB in 1, A in min(6, 4) = 4 ways = 256 KiB: ⌊262144/1280⌋ = 204. L3 share 2 MiB: B gets
// 1572864 − 204·1280 = 1311744 B, nc = ⌊1311744/1280⌋ = 1024.
BOOST_AUTO_TEST_CASE(zen3_avx2) {
  const CpuDescription cpu = zen3();
  const SimdTarget t = target(cpu, 8);
  BOOST_TEST(t.vector_registers == 16);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  BOOST_TEST(blocking_violations(cpu, t, b).empty());
  check_blocking(b, 6, 2, 16, 320, 204, 1024);
  check_cache_bounds(cpu, b);
}

// Skylake client: L1 as Zen 3 (kc = 320, tile 6×2). L2 256 KiB 4-way: 64 KiB ways, B panel in 1, A in
// min(4 − 2, 2) = 2 ways = 128 KiB: ⌊131072/1280⌋ = 102. L3 share 8 MiB/8 = 1 MiB, budget 786432 B; B gets
// 786432 − 102·1280 = 655872 B: nc = ⌊655872/1280⌋ = 512.
BOOST_AUTO_TEST_CASE(skylake_client_avx2) {
  const CpuDescription cpu = skylake_client();
  const SimdTarget t = target(cpu, 8);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  BOOST_TEST(blocking_violations(cpu, t, b).empty());
  check_blocking(b, 6, 2, 16, 320, 102, 512);
  check_cache_bounds(cpu, b);
}

// A 2-way L1 cannot keep a way for C beside one way each for A and B: the L1 constraint is violated at any kc, and
// that is the only violation. kc = ⌊4096 / (2·(6 + 16)·4)⌋ = 23 → 16 (a multiple of 8). L2: 8 KiB ways, B panel
// 1 KiB in 1, A in min(2, 2) = 2 ways: ⌊16384/64⌋ = 256 → 252 rows. No L3: the budget is ¾ of L2, 24576 B; A would
// leave B 8448 B, less than half, so B takes 12288 B: mc = (24576 − 12288)/64 = 192, nc = 12288/64 = 192.
BOOST_AUTO_TEST_CASE(tiny_cache_has_only_the_unavoidable_l1_violation) {
  const CpuDescription cpu = tiny();
  const SimdTarget t = target(cpu, 8);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  const std::vector<std::string> v = blocking_violations(cpu, t, b);
  BOOST_TEST_REQUIRE(v.size() == 1u);
  BOOST_TEST(v[0].starts_with("L1: "));
  check_blocking(b, 6, 2, 16, 16, 192, 192);
  BOOST_TEST(b.mc * b.kc * 4 <= 32 * KiB / 2);
  BOOST_TEST((b.mc + b.nc) * b.kc * 4 <= 32 * KiB * 3 / 4);
}

// An SSE build (4 floats, 16 registers) on Zen 3's caches: 6×2 is 6 × 8 (6·8/14 = 3.4 per float; 4×3: 3.0; 8×1
// fails the loads). kc: A 24 B and B 32 B per k step; 3 ways for A: min(3·4096/24, 4·4096/32) = 512. mc: B panel
// 16 KiB in 1 way, A in 4 ways = 256 KiB: ⌊262144/2048⌋ = 128 → 126. B gets 1572864 − 126·2048 = 1314816 B:
// nc = ⌊1314816/2048⌋ = 642 → 640.
BOOST_AUTO_TEST_CASE(sse_build) {
  const CpuDescription cpu = zen3();
  const SimdTarget t = target(cpu, 4);
  BOOST_TEST(t.vector_floats == 4);
  const GemmBlocking b = derive_gemm_blocking(cpu, t, kTiles);
  BOOST_TEST(blocking_violations(cpu, t, b).empty());
  check_blocking(b, 6, 2, 8, 512, 126, 640);
  check_cache_bounds(cpu, b);
}

// The same choice whatever the order the tiles are listed in; an empty list is refused.
BOOST_AUTO_TEST_CASE(tile_choice_does_not_depend_on_list_order) {
  std::vector<MicroTile> reversed(kTiles.rbegin(), kTiles.rend());
  for (const CpuDescription& cpu : {sapphire_rapids(), zen4(), zen3(), skylake_client(), tiny()})
    for (int floats : {4, 8, 16}) {
      const SimdTarget t = target(cpu, floats);
      const GemmBlocking a = derive_gemm_blocking(cpu, t, kTiles), b = derive_gemm_blocking(cpu, t, reversed);
      BOOST_TEST(a.mr == b.mr);
      BOOST_TEST(a.nv == b.nv);
      BOOST_TEST(a.kc == b.kc);
    }
  BOOST_CHECK_THROW(derive_gemm_blocking(zen3(), target(zen3(), 8), std::vector<MicroTile>{}), std::invalid_argument);
  BOOST_CHECK_THROW(simd_target(zen3(), 6), std::invalid_argument);
}

// Every tile the registers allow, on every realistic CPU and width: derive meets all the constraints.
BOOST_AUTO_TEST_CASE(derive_meets_the_model_for_every_register_tile_list) {
  for (const CpuDescription& cpu : {sapphire_rapids(), zen4(), zen3(), skylake_client()})
    for (int floats : {4, 8, 16}) {
      const SimdTarget t = target(cpu, floats);
      const std::vector<MicroTile> tiles = register_tiles(t);
      BOOST_TEST_REQUIRE(!tiles.empty());
      for (const MicroTile& m : tiles) BOOST_TEST(m.rows * m.vectors + m.vectors + 1 <= t.vector_registers);
      const GemmBlocking b = derive_gemm_blocking(cpu, t, tiles);
      BOOST_TEST(blocking_violations(cpu, t, b).empty(), cpu.l2.size_bytes << " B L2, " << floats << " floats");
      check_cache_bounds(cpu, b);
    }
}

// Latency: a 2×2-vector tile has 4 independent FMA chains, enough for 1 unit of 4 cycles (Zen 4's half-rate 512-bit
// FMAs) but not for 2 (full rate).
BOOST_AUTO_TEST_CASE(half_rate_halves_the_chains_latency_needs) {
  CpuDescription full = sapphire_rapids(), half = sapphire_rapids();
  half.half_rate_512 = true;
  const std::vector<MicroTile> only{{2, 2}};
  const SimdTarget t_full = target(full, 16), t_half = target(half, 16);
  const GemmBlocking b_full = derive_gemm_blocking(full, t_full, only);
  const GemmBlocking b_half = derive_gemm_blocking(half, t_half, only);
  BOOST_TEST(b_full.mr == 2);
  BOOST_TEST(b_half.mr == 2);
  BOOST_TEST(has_violation(blocking_violations(full, t_full, b_full), "latency"));
  BOOST_TEST(!has_violation(blocking_violations(half, t_half, b_half), "latency"));
  // And the choice changes with it: 3×2 (6 chains, 3·32/35 = 2.7 FMAs per float) beats 2×4 (8 chains,
  // 2·64/66 = 1.9) only when 6 chains are enough.
  const std::vector<MicroTile> two{{2, 4}, {3, 2}};
  BOOST_TEST(derive_gemm_blocking(full, t_full, two).mr == 2);
  BOOST_TEST(derive_gemm_blocking(half, t_half, two).mr == 3);
}

// Registers and loads are checked too: 7×2 with AVX2 needs 14 + 2 + 1 = 17 > 16 registers; 8×1 issues 9 loads in
// the 4 cycles of its 8 FMAs, more than 2 per cycle.
BOOST_AUTO_TEST_CASE(register_and_load_violations_are_named) {
  const CpuDescription cpu = zen3();
  const SimdTarget t = target(cpu, 8);
  const GemmBlocking regs{7, 2, 16, 256, 140, 1024};
  BOOST_TEST(has_violation(blocking_violations(cpu, t, regs), "registers"));
  const GemmBlocking loads{8, 1, 8, 256, 128, 1024};
  BOOST_TEST(has_violation(blocking_violations(cpu, t, loads), "loads"));
  const GemmBlocking big_kc{6, 2, 16, 2048, 6, 64};  // B panel 128 KiB: more than the whole L1
  BOOST_TEST(has_violation(blocking_violations(cpu, t, big_kc), "L1"));
  const GemmBlocking big_mc{6, 2, 16, 256, 600, 64};  // A block 600 KiB > 512 KiB L2
  BOOST_TEST(has_violation(blocking_violations(cpu, t, big_mc), "L2"));
  const GemmBlocking big_nc{6, 2, 16, 256, 96, 8192};  // B block 8 MiB > ¾ of the 2 MiB share
  BOOST_TEST(has_violation(blocking_violations(cpu, t, big_nc), "L3"));
  const GemmBlocking odd_mc{6, 2, 16, 256, 100, 1024};
  BOOST_TEST(has_violation(blocking_violations(cpu, t, odd_mc), "shape"));
}

// ---- TAPEGRAD_CPU_CACHES ----

BOOST_AUTO_TEST_CASE(override_parses_sizes_ways_and_sharing) {
  CpuDescription base;
  base.cache_source = "sysfs";
  base.l3 = {8 * MiB, 16, 64, 8};
  const CpuDescription all = apply_cpu_override(base, "l1d=48K/12,l2=2M/16,l3=105M/15@112");
  BOOST_TEST(all.l1d.size_bytes == 49152);
  BOOST_TEST(all.l1d.ways == 12);
  BOOST_TEST(all.l2.size_bytes == 2097152);
  BOOST_TEST(all.l2.ways == 16);
  BOOST_TEST(all.l2.shared_by == 1);
  BOOST_TEST(all.l3.size_bytes == 110100480);
  BOOST_TEST(all.l3.ways == 15);
  BOOST_TEST(all.l3.shared_by == 112);
  BOOST_TEST(all.cache_source == "TAPEGRAD_CPU_CACHES");

  // Only L2, lower-case suffix, no ways: the other levels stay as detected, and the source says both.
  const CpuDescription some = apply_cpu_override(base, " l2=1m ");
  BOOST_TEST(some.l2.size_bytes == MiB);
  BOOST_TEST(some.l2.ways == 0);
  BOOST_TEST(some.l3.size_bytes == 8 * MiB);
  BOOST_TEST(some.cache_source == "TAPEGRAD_CPU_CACHES+sysfs");

  const CpuDescription no_l3 = apply_cpu_override(base, "l1=4096/2,l3=0,half_rate_512=1,");
  BOOST_TEST(no_l3.l1d.size_bytes == 4096);
  BOOST_TEST(!no_l3.l3.present());
  BOOST_TEST(no_l3.half_rate_512);
  BOOST_TEST(!apply_cpu_override(no_l3, "half_rate_512=0").half_rate_512);
  BOOST_TEST(apply_cpu_override(base, "half_rate_512=1").cache_source == "sysfs");  // no cache level named
  BOOST_TEST(apply_cpu_override(base, "").l3.size_bytes == 8 * MiB);
}

BOOST_AUTO_TEST_CASE(override_errors_name_the_variable_and_the_item) {
  struct Bad {
    const char* spec;
    const char* item;
    const char* expected;
  };
  const Bad cases[] = {
      {"l4=1M", "'l4=1M'", "unknown name 'l4'"},
      {"l2=1M,l3=M", "'l3=M'", "no number"},
      {"l2=1X", "'l2=1X'", "unknown size suffix 'X'"},
      {"l2=", "'l2='", "no size"},
      {"l2=1M/0", "'l2=1M/0'", "associativity '0'"},
      {"l2=-1M", "'l2=-1M'", "size '-1' is not a whole number"},
      {"l3=32M/16@0", "'l3=32M/16@0'", "sharing '0'"},
      {"l2:1M", "'l2:1M'", "expected NAME=VALUE"},
      {"half_rate_512=yes", "'half_rate_512=yes'", "half_rate_512=0 or half_rate_512=1"},
      {"l2=99999999999G", "'l2=99999999999G'", "too large"},
  };
  for (const Bad& c : cases) {
    const std::string message = override_error(c.spec);
    BOOST_TEST_INFO("spec " << c.spec << " → " << message);
    BOOST_TEST(message.starts_with("TAPEGRAD_CPU_CACHES: "));
    BOOST_TEST(message.find(c.item) != std::string::npos);
    BOOST_TEST(message.find(c.expected) != std::string::npos);
  }
}

// ---- Detection ----

BOOST_AUTO_TEST_CASE(detect_on_this_machine) {
  const ScopedEnv clear("TAPEGRAD_CPU_CACHES", nullptr);
  const CpuDescription cpu = detect_cpu();
  BOOST_TEST(!cpu.model_name.empty());
  BOOST_TEST(cpu.l1d.size_bytes > 0);
  BOOST_TEST(cpu.l2.size_bytes > cpu.l1d.size_bytes);
  BOOST_TEST((cpu.cache_source == "sysfs" || cpu.cache_source == "cpuid" || cpu.cache_source == "defaults"));
#if defined(__x86_64__)
  BOOST_TEST(!cpu.vendor.empty());
  BOOST_TEST(cpu.family > 0);
#endif
#if defined(__AVX2__)
  BOOST_TEST(cpu.avx2);  // this build runs AVX2 code, so the CPU must have it
#endif
  BOOST_TEST(describe(cpu).find(cpu.model_name) == 0u);
  // This CPU's own blocking meets the model with the build's width.
  const SimdTarget t = simd_target(cpu, 8);
  BOOST_TEST(blocking_violations(cpu, t, derive_gemm_blocking(cpu, t, kTiles)).empty());
}

BOOST_AUTO_TEST_CASE(detect_applies_the_variable) {
  {
    const ScopedEnv spr("TAPEGRAD_CPU_CACHES", "l1d=48K/12,l2=2M/16,l3=105M/15@112");
    const CpuDescription cpu = detect_cpu();
    BOOST_TEST(cpu.l1d.size_bytes == 48 * KiB);
    BOOST_TEST(cpu.l2.size_bytes == 2 * MiB);
    BOOST_TEST(cpu.l3.shared_by == 112);
    BOOST_TEST(cpu.cache_source == "TAPEGRAD_CPU_CACHES");
    BOOST_TEST(describe(cpu).find("L2 2 MiB 16-way") != std::string::npos);
    BOOST_TEST(describe(cpu).find("(TAPEGRAD_CPU_CACHES)") != std::string::npos);
  }
  {
    const ScopedEnv bad("TAPEGRAD_CPU_CACHES", "l2=lots");
    BOOST_CHECK_THROW(detect_cpu(), std::invalid_argument);
  }
}

// ---- sysfs ----

BOOST_AUTO_TEST_CASE(sysfs_values) {
  BOOST_TEST(parse_cache_size("32K") == 32768);
  BOOST_TEST(parse_cache_size("32768K\n") == 32 * MiB);
  BOOST_TEST(parse_cache_size("2M") == 2 * MiB);
  BOOST_TEST(parse_cache_size("48") == 48);
  BOOST_TEST(parse_cache_size("") == -1);
  BOOST_TEST(parse_cache_size("K") == -1);
  BOOST_TEST(parse_cache_size("12Q") == -1);
  BOOST_TEST(parse_cache_size("-4K") == -1);
  BOOST_TEST(count_cpu_list("0") == 1);
  BOOST_TEST(count_cpu_list("0-1") == 2);
  BOOST_TEST(count_cpu_list("0-55,112-167") == 112);
  BOOST_TEST(count_cpu_list("0,4,8-9") == 4);
  BOOST_TEST(count_cpu_list("") == -1);
  BOOST_TEST(count_cpu_list("3-1") == -1);
  BOOST_TEST(count_cpu_list("a-b") == -1);
}

// A fake cache directory: an instruction cache listed first at level 1 (ignored), the L1d, the L2, an L3 entry with a
// malformed size (skipped) and a good one after it, and a directory that is not an index.
BOOST_AUTO_TEST_CASE(sysfs_reader_on_a_fake_tree) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("tapegrad_fake_cache_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  const auto entry = [&](const char* index, const char* level, const char* type, const char* size, const char* ways,
                         const char* line, const char* shared) {
    const std::filesystem::path d = root / index;
    write_file(d / "level", level);
    write_file(d / "type", type);
    write_file(d / "size", size);
    write_file(d / "ways_of_associativity", ways);
    write_file(d / "coherency_line_size", line);
    write_file(d / "shared_cpu_list", shared);
  };
  entry("index0", "1", "Instruction", "64K", "4", "64", "0");
  entry("index1", "1", "Data", "48K", "12", "64", "0,56");
  entry("index2", "2", "Unified", "2048K", "16", "64", "0,56");
  entry("index3", "3", "Unified", "a lot", "15", "64", "0-55,112-167");
  entry("index4", "3", "Unified", "107520K", "15", "64", "0-55,112-167");
  write_file(root / "uevent" / "level", "1");

  const CacheLevels c = read_sysfs_caches(root);
  BOOST_TEST(c.found);
  BOOST_TEST(c.l1d.size_bytes == 48 * KiB);
  BOOST_TEST(c.l1d.ways == 12);
  BOOST_TEST(c.l1d.shared_by == 2);
  BOOST_TEST(c.l2.size_bytes == 2 * MiB);
  BOOST_TEST(c.l2.ways == 16);
  BOOST_TEST(c.l3.size_bytes == 105 * MiB);
  BOOST_TEST(c.l3.ways == 15);
  BOOST_TEST(c.l3.shared_by == 112);
  BOOST_TEST(c.l3.line_bytes == 64);

  // A missing directory, and one with only an instruction cache: nothing found.
  BOOST_TEST(!read_sysfs_caches(root / "nothing").found);
  std::filesystem::remove_all(root / "index1");
  std::filesystem::remove_all(root / "index2");
  std::filesystem::remove_all(root / "index3");
  std::filesystem::remove_all(root / "index4");
  BOOST_TEST(!read_sysfs_caches(root).found);
  std::filesystem::remove_all(root);
}

BOOST_AUTO_TEST_SUITE_END()
