// `tapegrad cpu`: what the GEMM sees of this CPU and the blocking it derives from it (docs/gemm-blocking.md): the
// detected description (cpuid, sysfs, or TAPEGRAD_CPU_CACHES), the SIMD target of this build, the micro-tile and
// kc/mc/nc of the analytical model, how much of each cache they use, and whether every constraint of the model
// holds. --json prints the same as one JSON object.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "ops/cpu_info.hpp"
#include "ops/error.hpp"
#include "ops/gemm.hpp"
#include "ops/gemm_blocking.hpp"

namespace tapegrad::cli {

namespace {

using ops::MicroTile;

// The micro-tiles the model chooses from by default: for this build's width, those its GEMM kernels are compiled for
// (ops::gemm_tiles()); for another width (--vector-floats), those a build of that width compiles (ops/gemm.cpp: the
// AVX-512 list, or the list of 8- and 4-float builds). --tiles and --all-tiles replace them.
std::vector<MicroTile> default_tiles(int vector_floats) {
  if (vector_floats == ops::build_vector_floats()) {
    const std::span<const MicroTile> compiled = ops::gemm_tiles();
    return {compiled.begin(), compiled.end()};
  }
  if (vector_floats == 16) return {{12, 2}, {8, 3}, {6, 4}, {6, 2}};
  return {{6, 2}, {4, 3}, {5, 2}, {4, 2}};
}

struct CpuOptions {
  bool json = false;
  int vector_floats = 0;  // 0: this build's
  std::string tiles;      // "6x2,4x3": empty = default_tiles
  bool all_tiles = false;
};

// "6x2" → {6, 2}; {0, 0} when it does not parse.
MicroTile parse_tile(const std::string& text) {
  const std::size_t x = text.find('x');
  if (x == std::string::npos) return {0, 0};
  const std::string rows = text.substr(0, x), vectors = text.substr(x + 1);
  const auto whole = [](const std::string& s) {
    if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(s);
  };
  return {whole(rows), whole(vectors)};
}

std::vector<MicroTile> parse_tiles(const std::string& list) {
  std::vector<MicroTile> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(parse_tile(item));
  return out;
}

// Refuses a bad --tiles while parsing: "" when every item is ROWSxVECTORS with both in [1, 64].
std::string tiles_problem(const std::string& list) {
  std::stringstream in(list);
  bool any = false;
  for (std::string item; std::getline(in, item, ',');) {
    const MicroTile t = parse_tile(item);
    if (t.rows < 1 || t.rows > 64 || t.vectors < 1 || t.vectors > 64)
      return "bad tile '" + item + "' (expected ROWSxVECTORS with both in [1, 64], e.g. 6x2,4x3)";
    any = true;
  }
  return any ? "" : "no tile given (expected e.g. 6x2,4x3)";
}

std::string kib(std::int64_t bytes) {
  std::ostringstream s;
  s.precision(bytes % 1024 == 0 ? 0 : 1);
  s << std::fixed << static_cast<double>(bytes) / 1024 << " KiB";
  return s.str();
}

nlohmann::json level_json(const ops::CacheLevel& c) {
  return {{"size_bytes", c.size_bytes}, {"ways", c.ways}, {"line_bytes", c.line_bytes}, {"shared_by", c.shared_by}};
}

int run_cpu(const CpuOptions& o) {
  ops::CpuDescription cpu;
  try {
    cpu = ops::detect_cpu();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // a bad TAPEGRAD_CPU_CACHES: the user's mistake, exit status 2
  }
  const int floats = o.vector_floats > 0 ? o.vector_floats : ops::build_vector_floats();
  const ops::SimdTarget target = ops::simd_target(cpu, floats);
  const std::vector<MicroTile> tiles = o.all_tiles       ? ops::register_tiles(target)
                                       : o.tiles.empty() ? default_tiles(floats)
                                                         : parse_tiles(o.tiles);
  const ops::GemmBlocking b = ops::derive_gemm_blocking(cpu, target, tiles);
  const std::vector<std::string> violations = ops::blocking_violations(cpu, target, b);
  // Derived as the GEMM of this process derives its own (same width, same tiles, same CPU description).
  const bool uses_own = floats == ops::build_vector_floats() && o.tiles.empty() && !o.all_tiles;

  // What the blocks take of each cache (the quantities of the model's constraints).
  const std::int64_t b_panel = b.kc * b.nr * 4, a_panel = b.mr * b.kc * 4, a_block = b.mc * b.kc * 4,
                     b_block = b.kc * b.nc * 4;
  const std::int64_t last_share =
      cpu.l3.present() ? cpu.l3.share_bytes() : (cpu.l2.present() ? cpu.l2.size_bytes : 256 << 10);

  if (o.json) {
    nlohmann::json j;
    j["cpu"] = {{"description", ops::describe(cpu)},
                {"vendor", cpu.vendor},
                {"model_name", cpu.model_name},
                {"family", cpu.family},
                {"model", cpu.model},
                {"avx2", cpu.avx2},
                {"fma", cpu.fma},
                {"avx512f", cpu.avx512f},
                {"half_rate_512", cpu.half_rate_512},
                {"l1d", level_json(cpu.l1d)},
                {"l2", level_json(cpu.l2)},
                {"l3", level_json(cpu.l3)},
                {"cache_source", cpu.cache_source}};
    j["target"] = {{"vector_floats", target.vector_floats},       {"build_vector_floats", ops::build_vector_floats()},
                   {"vector_registers", target.vector_registers}, {"fma_units", target.fma_units},
                   {"fma_latency", target.fma_latency},           {"load_ports", target.load_ports}};
    nlohmann::json tile_list = nlohmann::json::array();
    for (const MicroTile& t : tiles) tile_list.push_back({t.rows, t.vectors});
    j["tiles"] = tile_list;
    j["blocking"] = {{"mr", b.mr}, {"nv", b.nv}, {"nr", b.nr}, {"kc", b.kc}, {"mc", b.mc}, {"nc", b.nc}};
    j["bytes"] = {{"b_micro_panel", b_panel},
                  {"a_micro_panel", a_panel},
                  {"a_block", a_block},
                  {"b_block", b_block},
                  {"last_level_share", last_share}};
    j["violations"] = violations;
    if (uses_own) {
      const ops::GemmBlocking g = ops::gemm_blocking();
      j["gemm_uses"] = {{"mr", g.mr}, {"nv", g.nv}, {"nr", g.nr}, {"kc", g.kc}, {"mc", g.mc}, {"nc", g.nc}};
    }
    std::cout << j.dump() << '\n';
    return 0;
  }

  std::cout << "CPU: " << ops::describe(cpu) << '\n';
  std::cout << "SIMD target: " << target.vector_floats << " floats per vector"
            << (floats == ops::build_vector_floats()
                    ? " (this build)"
                    : " (--vector-floats; this build: " + std::to_string(ops::build_vector_floats()) + ")")
            << ", " << target.vector_registers << " vector registers, " << target.fma_units << " FMA unit"
            << (target.fma_units == 1 ? "" : "s") << " × " << target.fma_latency << " cycles, " << target.load_ports
            << " loads per cycle\n";
  std::cout << "tiles:";
  for (const MicroTile& t : tiles) std::cout << ' ' << t.rows << 'x' << t.vectors;
  std::cout << (o.all_tiles                            ? " (every tile the registers allow)"
                : !o.tiles.empty()                     ? " (--tiles)"
                : floats == ops::build_vector_floats() ? " (the kernels this build compiles)"
                                                       : " (the kernels a build of that width compiles)")
            << '\n';
  std::cout << "GEMM blocking: micro-tile " << b.mr << "×" << b.nr << " (mr = " << b.mr << ", nv = " << b.nv
            << "), kc = " << b.kc << ", mc = " << b.mc << ", nc = " << b.nc << '\n';
  std::cout << "  L1: B micro-panel kc×nr " << kib(b_panel) << " + A micro-panel mr×kc " << kib(a_panel) << '\n';
  std::cout << "  L2: A block mc×kc " << kib(a_block) << '\n';
  std::cout << "  " << (cpu.l3.present() ? "L3" : "L2 (no L3)") << ": B block kc×nc " << kib(b_block)
            << " + A block, per-core share " << kib(last_share) << '\n';
  if (uses_own) {
    const ops::GemmBlocking g = ops::gemm_blocking();
    const bool same = g.mr == b.mr && g.nv == b.nv && g.kc == b.kc && g.mc == b.mc && g.nc == b.nc;
    std::cout << (same ? "  (the blocking this build's GEMM uses)\n"
                       : "  (this build's GEMM uses mr = " + std::to_string(g.mr) + ", nv = " + std::to_string(g.nv) +
                             ", kc = " + std::to_string(g.kc) + ", mc = " + std::to_string(g.mc) +
                             ", nc = " + std::to_string(g.nc) + ")\n");
  }
  if (violations.empty()) {
    std::cout << "constraints: all hold\n";
  } else {
    std::cout << "constraints violated:\n";
    for (const std::string& v : violations) std::cout << "  " << v << '\n';
  }
  return 0;
}

}  // namespace

Command add_cpu_command(CLI::App& app) {
  auto o = std::make_shared<CpuOptions>();
  CLI::App* sub = app.add_subcommand(
      "cpu",
      "the CPU as the GEMM sees it (caches, ISA) and the blocking derived from it; TAPEGRAD_CPU_CACHES "
      "overrides the caches");
  sub->add_flag("--json", o->json, "stdout: one JSON object (cpu, target, tiles, blocking, bytes, violations)");
  sub->add_option("--vector-floats", o->vector_floats,
                  "derive for a build with this vector width (4, 8 or 16) instead of this build's")
      ->check(CLI::IsMember({4, 8, 16}));
  sub->add_option("--tiles", o->tiles, "micro-tiles to choose from, ROWSxVECTORS separated by commas (e.g. 6x2,4x3)")
      ->check(CLI::Validator(tiles_problem, "ROWSxVECTORS,…", "TILES"));
  sub->add_flag("--all-tiles", o->all_tiles, "choose from every tile that fits the vector registers")
      ->excludes("--tiles");
  return [o] { return run_cpu(*o); };
}

}  // namespace tapegrad::cli
