// What the CPU this process runs on is: vendor, model, the SIMD instruction sets it supports, and its data caches
// as one core sees them. The GEMM derives its blocking from this (ops/gemm_blocking.hpp); benchmarks print it.
//
// Sources, in order: the kernel's description of cpu0's caches in sysfs (/sys/devices/system/cpu/cpu0/cache/index*),
// else cpuid (leaf 4 on Intel, 0x8000001D on AMD), else safe defaults (L1d 32 KiB 8-way, L2 256 KiB 4-way, no L3).
// Then the environment variable TAPEGRAD_CPU_CACHES, when set, overrides any of the levels, so that the blocking
// another CPU would get can be exercised and tested on this one:
//   TAPEGRAD_CPU_CACHES="l1d=48K/12,l2=2M/16,l3=105M/15@112"
// Items are separated by commas; each is LEVEL=SIZE[/WAYS][@SHARED_BY] with LEVEL one of l1d (or l1), l2, l3, SIZE
// a whole number of bytes with an optional K, M or G suffix (powers of 1024; 0 = the level is absent), WAYS the
// associativity and SHARED_BY the number of logical CPUs sharing the cache; or half_rate_512=1 / half_rate_512=0.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tapegrad::ops {

// One data (or unified) cache level as one core sees it.
struct CacheLevel {
  std::int64_t size_bytes = 0;  // 0 = absent/unknown
  int ways = 0;                 // associativity (0 = unknown → treat as 8; fully associative → size/line)
  int line_bytes = 64;
  int shared_by = 1;  // logical CPUs sharing this cache (from shared_cpu_list); per-core share = size/shared_by

  bool present() const { return size_bytes > 0; }
  int effective_ways() const { return ways > 0 ? ways : 8; }
  std::int64_t way_bytes() const { return size_bytes / effective_ways(); }  // bytes of one way (all its sets)
  std::int64_t share_bytes() const { return size_bytes / (shared_by > 0 ? shared_by : 1); }
};

struct CpuDescription {
  std::string vendor;                               // "GenuineIntel", "AuthenticAMD", … (cpuid leaf 0)
  std::string model_name;                           // brand string (cpuid 0x80000002-4, or /proc/cpuinfo "model name")
  int family = 0, model = 0;                        // display family/model from cpuid leaf 1
  bool avx2 = false, fma = false, avx512f = false;  // what the CPU (and the OS, for the register state) supports
  bool half_rate_512 = false;  // 512-bit instructions execute on 256-bit units (AMD Zen 4: family 0x19 with avx512f)
  CacheLevel l1d, l2, l3;
  std::string cache_source;  // "sysfs", "cpuid", "TAPEGRAD_CPU_CACHES" (or "TAPEGRAD_CPU_CACHES+sysfs" etc. when
                             // it names only some levels), or "defaults"
};

// Reads cpuid and the caches (sysfs, else cpuid, else defaults), then applies TAPEGRAD_CPU_CACHES if it is set.
// Throws std::invalid_argument when the variable does not parse (see apply_cpu_override).
CpuDescription detect_cpu();

// detect_cpu() computed once per process (thread-safe; a throw is passed on and retried at the next call).
const CpuDescription& this_cpu();

// Applies an override spec (grammar above) to cpu and returns it; an empty spec changes nothing. Levels the spec
// names replace the detected ones entirely (unnamed fields take CacheLevel's defaults). Throws std::invalid_argument
// naming TAPEGRAD_CPU_CACHES, the offending item and what was expected.
CpuDescription apply_cpu_override(CpuDescription cpu, std::string_view spec);

// One line: model name, ISA, caches and where they came from, e.g.
// "AMD EPYC (AuthenticAMD family 0x19 model 0x1) avx2 fma; L1d 32 KiB 8-way, L2 512 KiB 8-way, L3 32 MiB 16-way
//  shared by 2 (sysfs)".
std::string describe(const CpuDescription&);

// The caches of one CPU as described by a sysfs cache directory (normally /sys/devices/system/cpu/cpu0/cache):
// its index*/ subdirectories, each with level, type, size, ways_of_associativity, coherency_line_size and
// shared_cpu_list. Instruction caches are skipped; an entry whose level, type or size does not parse is skipped.
// found = at least one of L1d, L2 read.
struct CacheLevels {
  CacheLevel l1d, l2, l3;
  bool found = false;
};
CacheLevels read_sysfs_caches(const std::filesystem::path& cache_dir);

// Parsers of sysfs values, exposed for the tests: "32K" → 32768, "512K", "32768K", "2M", "48" (bytes); -1 when the
// text is not a size. "0-3,8,10-11" → 7 CPUs; -1 when it is not a CPU list.
std::int64_t parse_cache_size(std::string_view text);
int count_cpu_list(std::string_view text);

}  // namespace tapegrad::ops
