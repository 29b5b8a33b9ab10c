// Small helpers the benchmark programs share: the peak resident memory of the process, the CPU's name (every figure
// names the CPU it was measured on), synthetic token ids for the language-model benchmarks, and the --loop-order
// option of the GEMM benchmarks.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/gemm.hpp"
#include "ops/random.hpp"

namespace tapegrad::bench {

// The largest resident set the process has had so far, in MiB (Linux reports kilobytes).
inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// The value of the first line of /proc/cpuinfo that starts with `key` ("model name", "cpu family", "model",
// "flags"), or "" when there is none (another OS, another architecture).
inline std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.rfind(key, 0) != 0) continue;
    std::string name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    if (name != key) continue;  // "model" must not match "model name"
    return colon + 2 <= line.size() ? line.substr(colon + 2) : std::string();
  }
  return "";
}

// "model name" of the first CPU in /proc/cpuinfo.
inline std::string cpu_name() {
  const std::string name = cpuinfo_field("model name");
  return name.empty() ? "unknown CPU" : name;
}

// The CPU as every benchmark names it: "AMD EPYC 7B13 64-Core Processor (family 25 model 1)". The model name alone
// does not always tell the microarchitecture (family 25 is Zen 3 and Zen 4: model 1 is Milan, 17 Genoa; a virtual
// machine may report just "AMD EPYC").
inline std::string cpu_description() {
  const std::string family = cpuinfo_field("cpu family"), model = cpuinfo_field("model");
  std::string text = cpu_name();
  if (!family.empty() || !model.empty()) text += " (family " + family + " model " + model + ")";
  return text;
}

// The first line of a benchmark's output: "CPU: " + cpu_description().
inline std::string cpu_line() { return "CPU: " + cpu_description(); }

// n ids drawn uniformly from [0, vocab) by Rng(seed): the same stream for every run and build.
inline std::vector<std::int32_t> uniform_ids(std::size_t n, std::int64_t vocab, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = static_cast<std::int32_t>(rng.uniform_int(static_cast<std::uint64_t>(vocab)));
  return ids;
}

// --loop-order's value: auto, panels or rows (ops::GemmLoopOrder); anything else throws std::invalid_argument.
inline ops::GemmLoopOrder loop_order_named(const std::string& name) {
  if (name == "auto") return ops::GemmLoopOrder::automatic;
  if (name == "panels") return ops::GemmLoopOrder::panels_outer;
  if (name == "rows") return ops::GemmLoopOrder::rows_outer;
  throw std::invalid_argument("--loop-order: '" + name + "' is not auto, panels or rows");
}

}  // namespace tapegrad::bench
