// Small helpers the benchmark programs share: the peak resident memory of the process, the CPU's name (every figure
// names the CPU it was measured on), and synthetic token ids for the language-model benchmarks.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "ops/random.hpp"

namespace tapegrad::bench {

// The largest resident set the process has had so far, in MiB (Linux reports kilobytes).
inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// "model name" of the first CPU in /proc/cpuinfo.
inline std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// n ids drawn uniformly from [0, vocab) by Rng(seed): the same stream for every run and build.
inline std::vector<std::int32_t> uniform_ids(std::size_t n, std::int64_t vocab, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = static_cast<std::int32_t>(rng.uniform_int(static_cast<std::uint64_t>(vocab)));
  return ids;
}

}  // namespace tapegrad::bench
