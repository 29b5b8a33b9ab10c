// Detection of the CPU and its caches (ops/cpu_info.hpp): cpuid on x86-64, sysfs on Linux, the TAPEGRAD_CPU_CACHES
// override, and the one-line description.
#include "ops/cpu_info.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TAPEGRAD_HAS_CPUID 1
#endif

namespace tapegrad::ops {
namespace {

constexpr const char* kVariable = "TAPEGRAD_CPU_CACHES";

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// A non-negative decimal integer filling all of text, or -1 (also on overflow).
std::int64_t parse_whole(std::string_view text) {
  if (text.empty()) return -1;
  std::int64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Bytes per suffix letter (K, M, G, either case), 0 when c is not one.
std::int64_t suffix_scale(char c) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'K':
      return std::int64_t{1} << 10;
    case 'M':
      return std::int64_t{1} << 20;
    case 'G':
      return std::int64_t{1} << 30;
    default:
      return 0;
  }
}

std::string read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  return trim(line);
}

// The cache description from sysfs of one index*/ directory; level 0 when it is not a data/unified cache or does not
// parse.
struct SysfsEntry {
  int level = 0;
  CacheLevel cache;
};

SysfsEntry read_sysfs_entry(const std::filesystem::path& dir) {
  SysfsEntry e;
  const std::string type = read_first_line(dir / "type");
  if (type != "Data" && type != "Unified") return e;
  const std::int64_t level = parse_whole(read_first_line(dir / "level"));
  const std::int64_t size = parse_cache_size(read_first_line(dir / "size"));
  if (level < 1 || level > 3 || size <= 0) return e;
  e.level = static_cast<int>(level);
  e.cache.size_bytes = size;
  const std::int64_t line = parse_whole(read_first_line(dir / "coherency_line_size"));
  if (line > 0 && line <= 4096) e.cache.line_bytes = static_cast<int>(line);
  const std::int64_t ways = parse_whole(read_first_line(dir / "ways_of_associativity"));
  // The kernel reports 0 ways for a fully associative cache: every line is one set's way.
  if (ways > 0 && ways <= 1024)
    e.cache.ways = static_cast<int>(ways);
  else if (ways == 0)
    e.cache.ways = static_cast<int>(std::min<std::int64_t>(size / e.cache.line_bytes, 1 << 20));
  const int shared = count_cpu_list(read_first_line(dir / "shared_cpu_list"));
  if (shared > 0) e.cache.shared_by = shared;
  return e;
}

#ifdef TAPEGRAD_HAS_CPUID
struct Regs {
  unsigned a = 0, b = 0, c = 0, d = 0;
};
Regs cpuid(unsigned leaf, unsigned subleaf = 0) {
  Regs r;
  if (!__get_cpuid_count(leaf, subleaf, &r.a, &r.b, &r.c, &r.d)) return {};
  return r;
}
unsigned max_leaf(unsigned base) { return __get_cpuid_max(base, nullptr); }

// XCR0: which register states the OS saves (bits 1, 2: SSE, AVX; 5, 6, 7: AVX-512 mask and upper registers).
std::uint64_t xcr0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t{hi} << 32) | lo;
}

void read_cpuid_identity(CpuDescription& cpu) {
  const unsigned top = max_leaf(0);
  const Regs v = cpuid(0);
  char vendor[13] = {};
  for (int i = 0; i < 4; ++i) {
    vendor[i] = static_cast<char>(v.b >> (8 * i));
    vendor[4 + i] = static_cast<char>(v.d >> (8 * i));
    vendor[8 + i] = static_cast<char>(v.c >> (8 * i));
  }
  cpu.vendor = vendor;
  if (top < 1) return;
  const Regs one = cpuid(1);
  // Display family = base family (+ extended family when base is 0xF); model gets the extended model bits when the
  // base family is 6 or 0xF.
  const unsigned base_family = (one.a >> 8) & 0xF, base_model = (one.a >> 4) & 0xF;
  cpu.family = static_cast<int>(base_family == 0xF ? base_family + ((one.a >> 20) & 0xFF) : base_family);
  cpu.model =
      static_cast<int>(base_family == 6 || base_family == 0xF ? base_model + (((one.a >> 16) & 0xF) << 4) : base_model);
  const bool osxsave = (one.c >> 27) & 1, avx = (one.c >> 28) & 1;
  const std::uint64_t xcr = osxsave ? xcr0() : 0;
  const bool ymm_state = (xcr & 0x6) == 0x6, zmm_state = (xcr & 0xE6) == 0xE6;
  cpu.fma = avx && ymm_state && ((one.c >> 12) & 1);
  if (top >= 7) {
    const Regs seven = cpuid(7, 0);
    cpu.avx2 = avx && ymm_state && ((seven.b >> 5) & 1);
    cpu.avx512f = zmm_state && ((seven.b >> 16) & 1);
  }
  if (max_leaf(0x80000000) >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      const Regs r = cpuid(0x80000002 + i);
      const unsigned words[4] = {r.a, r.b, r.c, r.d};
      for (int w = 0; w < 4; ++w)
        for (int byte = 0; byte < 4; ++byte) brand[i * 16 + w * 4 + byte] = static_cast<char>(words[w] >> (8 * byte));
    }
    cpu.model_name = trim(brand);
  }
}

// Caches from the deterministic cache parameters leaf: 4 on Intel, 0x8000001D on AMD (with topology extensions).
// Per subleaf: EAX[4:0] type (0 = no more, 1 data, 2 instruction, 3 unified), EAX[7:5] level, EAX[9] fully
// associative, EAX[25:14] logical CPUs sharing − 1; EBX[11:0] line − 1, EBX[21:12] partitions − 1, EBX[31:22]
// ways − 1; ECX sets − 1. Size = ways · partitions · line · sets.
CacheLevels read_cpuid_caches(const std::string& vendor) {
  CacheLevels out;
  unsigned leaf = 0;
  if (vendor == "GenuineIntel" && max_leaf(0) >= 4)
    leaf = 4;
  else if ((vendor == "AuthenticAMD" || vendor == "HygonGenuine") && max_leaf(0x80000000) >= 0x8000001D &&
           ((cpuid(0x80000001).c >> 22) & 1))
    leaf = 0x8000001D;
  if (leaf == 0) return out;
  for (unsigned sub = 0; sub < 16; ++sub) {
    const Regs r = cpuid(leaf, sub);
    const unsigned type = r.a & 0x1F;
    if (type == 0) break;
    if (type == 2) continue;
    const unsigned level = (r.a >> 5) & 0x7;
    CacheLevel c;
    c.line_bytes = static_cast<int>((r.b & 0xFFF) + 1);
    const std::int64_t partitions = ((r.b >> 12) & 0x3FF) + 1, ways = ((r.b >> 22) & 0x3FF) + 1,
                       sets = std::int64_t{r.c} + 1;
    c.size_bytes = ways * partitions * c.line_bytes * sets;
    c.ways = ((r.a >> 9) & 1) ? static_cast<int>(c.size_bytes / c.line_bytes) : static_cast<int>(ways);
    c.shared_by = static_cast<int>(((r.a >> 14) & 0xFFF) + 1);
    if (level == 1) out.l1d = c;
    if (level == 2) out.l2 = c;
    if (level == 3) out.l3 = c;
  }
  out.found = out.l1d.present() || out.l2.present();
  return out;
}
#endif

// /proc/cpuinfo's "model name" (non-x86 builds, or a CPU without a brand string).
std::string proc_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && trim(std::string_view(line).substr(0, colon)) == "model name")
      return trim(std::string_view(line).substr(colon + 1));
  }
  return {};
}

[[noreturn]] void bad_item(std::string_view item, const std::string& expected) {
  throw std::invalid_argument(std::string(kVariable) + ": bad item '" + std::string(item) + "': " + expected);
}

// "48K/12@2" (the part after "l1d=") → a cache level; item is the whole item, for messages.
CacheLevel parse_level_value(std::string_view value, std::string_view item) {
  const std::string expected =
      "expected SIZE[/WAYS][@SHARED_BY], e.g. l2=2M/16 or l3=32M/16@16 (SIZE a whole number with an optional K, M "
      "or G suffix; WAYS and SHARED_BY whole numbers of at least 1)";
  CacheLevel c;
  std::string_view size_text = value, ways_text, shared_text;
  bool has_ways = false, has_shared = false;
  if (const std::size_t at = size_text.find('@'); at != std::string_view::npos) {
    shared_text = size_text.substr(at + 1);
    size_text = size_text.substr(0, at);
    has_shared = true;
  }
  if (const std::size_t slash = size_text.find('/'); slash != std::string_view::npos) {
    ways_text = size_text.substr(slash + 1);
    size_text = size_text.substr(0, slash);
    has_ways = true;
  }
  if (size_text.empty()) bad_item(item, "no size; " + expected);
  std::int64_t scale = 1;
  if (!std::isdigit(static_cast<unsigned char>(size_text.back()))) {
    scale = suffix_scale(size_text.back());
    if (scale == 0)
      bad_item(item, "unknown size suffix '" + std::string(1, size_text.back()) + "' (K, M or G); " + expected);
    size_text.remove_suffix(1);
  }
  if (size_text.empty()) bad_item(item, "no number before the size suffix; " + expected);
  const std::int64_t number = parse_whole(size_text);
  if (number < 0) bad_item(item, "the size '" + std::string(size_text) + "' is not a whole number; " + expected);
  if (number > (std::int64_t{1} << 50) / scale) bad_item(item, "the size is too large; " + expected);
  c.size_bytes = number * scale;
  if (has_ways) {
    const std::int64_t ways = parse_whole(ways_text);
    if (ways < 1 || ways > (1 << 20))
      bad_item(item, "the associativity '" + std::string(ways_text) + "' is not a number of ways ≥ 1; " + expected);
    c.ways = static_cast<int>(ways);
  }
  if (has_shared) {
    const std::int64_t shared = parse_whole(shared_text);
    if (shared < 1 || shared > (1 << 20))
      bad_item(item, "the sharing '" + std::string(shared_text) + "' is not a number of CPUs ≥ 1; " + expected);
    c.shared_by = static_cast<int>(shared);
  }
  return c;
}

std::string format_bytes(std::int64_t bytes) {
  std::ostringstream s;
  if (bytes >= (std::int64_t{1} << 30) && bytes % (std::int64_t{1} << 30) == 0)
    s << (bytes >> 30) << " GiB";
  else if (bytes >= (std::int64_t{1} << 20) && bytes % (std::int64_t{1} << 20) == 0)
    s << (bytes >> 20) << " MiB";
  else if (bytes >= 1024 && bytes % 1024 == 0)
    s << (bytes >> 10) << " KiB";
  else
    s << bytes << " B";
  return s.str();
}

std::string describe_level(const char* name, const CacheLevel& c) {
  if (!c.present()) return std::string(name) + " none";
  std::string s = std::string(name) + " " + format_bytes(c.size_bytes);
  s += c.ways > 0 ? " " + std::to_string(c.ways) + "-way" : " ?-way";
  if (c.shared_by > 1) s += " shared by " + std::to_string(c.shared_by);
  return s;
}

}  // namespace

std::int64_t parse_cache_size(std::string_view text) {
  const std::string t = trim(text);
  std::string_view digits = t;
  std::int64_t scale = 1;
  if (!digits.empty() && !std::isdigit(static_cast<unsigned char>(digits.back()))) {
    scale = suffix_scale(digits.back());
    if (scale == 0) return -1;
    digits.remove_suffix(1);
  }
  const std::int64_t number = parse_whole(digits);
  if (number < 0 || number > (std::int64_t{1} << 50) / scale) return -1;
  return number * scale;
}

int count_cpu_list(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty()) return -1;
  std::int64_t count = 0;
  std::size_t start = 0;
  while (start <= t.size()) {
    const std::size_t comma = std::min(t.find(',', start), t.size());
    const std::string_view part = std::string_view(t).substr(start, comma - start);
    const std::size_t dash = part.find('-');
    const std::int64_t first = parse_whole(part.substr(0, dash));
    const std::int64_t last = dash == std::string_view::npos ? first : parse_whole(part.substr(dash + 1));
    if (first < 0 || last < first || last > (1 << 20)) return -1;
    count += last - first + 1;
    if (count > (1 << 20)) return -1;
    start = comma + 1;
  }
  return static_cast<int>(count);
}

CacheLevels read_sysfs_caches(const std::filesystem::path& cache_dir) {
  CacheLevels out;
  std::error_code ec;
  std::vector<std::filesystem::path> dirs;
  for (std::filesystem::directory_iterator it(cache_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().starts_with("index")) dirs.push_back(it->path());
  std::sort(dirs.begin(), dirs.end());  // the first description of a level wins, whatever the directory order
  bool seen[4] = {};
  for (const auto& dir : dirs) {
    const SysfsEntry e = read_sysfs_entry(dir);
    if (e.level == 0 || seen[e.level]) continue;
    seen[e.level] = true;
    (e.level == 1 ? out.l1d : e.level == 2 ? out.l2 : out.l3) = e.cache;
  }
  out.found = out.l1d.present() || out.l2.present();
  return out;
}

CpuDescription apply_cpu_override(CpuDescription cpu, std::string_view spec) {
  bool named[3] = {};  // the cache levels the spec replaces: L1d, L2, L3
  std::size_t start = 0;
  const std::string whole(spec);
  if (trim(whole).empty()) return cpu;
  while (start <= whole.size()) {
    const std::size_t comma = std::min(whole.find(',', start), whole.size());
    const std::string item = trim(std::string_view(whole).substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;  // "l2=1M," or ",,": nothing to apply
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos)
      bad_item(item, "expected NAME=VALUE with NAME one of l1d, l2, l3, half_rate_512 (items separated by commas)");
    std::string name = trim(std::string_view(item).substr(0, eq));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const std::string value = trim(std::string_view(item).substr(eq + 1));
    if (name == "half_rate_512") {
      if (value != "0" && value != "1") bad_item(item, "expected half_rate_512=0 or half_rate_512=1");
      cpu.half_rate_512 = value == "1";
    } else if (name == "l1d" || name == "l1") {
      cpu.l1d = parse_level_value(value, item);
      named[0] = true;
    } else if (name == "l2") {
      cpu.l2 = parse_level_value(value, item);
      named[1] = true;
    } else if (name == "l3") {
      cpu.l3 = parse_level_value(value, item);
      named[2] = true;
    } else {
      bad_item(item, "unknown name '" + name + "' (expected l1d, l2, l3 or half_rate_512)");
    }
  }
  if (named[0] || named[1] || named[2]) {
    // All three levels replaced: the description is the variable's alone; otherwise say what the rest came from.
    const bool all = named[0] && named[1] && named[2];
    cpu.cache_source = all || cpu.cache_source.empty() ? kVariable : std::string(kVariable) + "+" + cpu.cache_source;
  }
  return cpu;
}

CpuDescription detect_cpu() {
  CpuDescription cpu;
#ifdef TAPEGRAD_HAS_CPUID
  read_cpuid_identity(cpu);
  // Zen 4 (family 0x19 with AVX-512) executes 512-bit instructions as two halves on its 256-bit units.
  cpu.half_rate_512 = cpu.vendor == "AuthenticAMD" && cpu.family == 0x19 && cpu.avx512f;
#endif
  if (cpu.model_name.empty()) cpu.model_name = proc_model_name();
  if (cpu.model_name.empty()) cpu.model_name = "unknown CPU";

  CacheLevels caches = read_sysfs_caches("/sys/devices/system/cpu/cpu0/cache");
  cpu.cache_source = "sysfs";
#ifdef TAPEGRAD_HAS_CPUID
  if (!caches.found) {
    caches = read_cpuid_caches(cpu.vendor);
    cpu.cache_source = "cpuid";
  }
#endif
  if (!caches.found) {
    // Small enough for any CPU of the last fifteen years: a blocking derived from these never overflows a cache.
    caches.l1d = CacheLevel{32 << 10, 8, 64, 1};
    caches.l2 = CacheLevel{256 << 10, 4, 64, 1};
    caches.l3 = CacheLevel{};
    cpu.cache_source = "defaults";
  }
  cpu.l1d = caches.l1d;
  cpu.l2 = caches.l2;
  cpu.l3 = caches.l3;

  if (const char* spec = std::getenv(kVariable)) cpu = apply_cpu_override(std::move(cpu), spec);
  return cpu;
}

const CpuDescription& this_cpu() {
  static const CpuDescription cpu = detect_cpu();
  return cpu;
}

std::string describe(const CpuDescription& cpu) {
  std::ostringstream s;
  s << cpu.model_name << " (" << (cpu.vendor.empty() ? "unknown vendor" : cpu.vendor) << std::hex << std::showbase
    << " family " << cpu.family << " model " << cpu.model << std::dec << std::noshowbase << ")";
  std::string isa;
  if (cpu.avx512f) isa += cpu.half_rate_512 ? " avx512f (half rate)" : " avx512f";
  if (!cpu.avx512f && cpu.half_rate_512) isa += " (512-bit at half rate)";  // set by TAPEGRAD_CPU_CACHES
  if (cpu.avx2) isa += " avx2";
  if (cpu.fma) isa += " fma";
  s << (isa.empty() ? " no avx2/fma" : isa) << "; " << describe_level("L1d", cpu.l1d) << ", "
    << describe_level("L2", cpu.l2) << ", " << describe_level("L3", cpu.l3) << " (" << cpu.cache_source << ")";
  return s.str();
}

}  // namespace tapegrad::ops
