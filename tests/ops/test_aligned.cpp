// Aligned allocation (ops/aligned.hpp): small buffers from the heap, large ones mapped from the kernel — both aligned
// to 64 bytes, usable to their last byte, counted, and given back the way they came (ASan and the leak checker
// watch the heap ones; a mapped buffer freed as if it were a heap one would crash here).
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "ops/aligned.hpp"

using namespace tapegrad;

namespace {

// The VmFlags line of the mapping of /proc/self/smaps that holds `p` ("" when the file or the mapping is not there).
std::string mapping_flags(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = start <= at && at < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(aligned)

BOOST_AUTO_TEST_CASE(small_and_large_buffers_are_aligned_whole_and_counted) {
  // Around the size where mapping starts (1 MiB), and far from it on both sides.
  for (std::size_t bytes : {std::size_t{1}, std::size_t{63}, std::size_t{4096}, (std::size_t{1} << 20) - 65,
                            (std::size_t{1} << 20) - 64, std::size_t{1} << 20, (std::size_t{3} << 20) + 5}) {
    const std::uint64_t before = aligned_allocation_count();
    void* p = aligned_bytes(bytes);
    BOOST_TEST(aligned_allocation_count() == before + 1);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % kAlignment == 0u, bytes << " bytes");
    std::memset(p, 0xab, bytes);  // every byte is ours
    BOOST_TEST(static_cast<unsigned char*>(p)[bytes - 1] == 0xab);
    aligned_free(p);
  }
  aligned_free(nullptr);  // allowed, like free(nullptr)
}

BOOST_AUTO_TEST_CASE(float_buffers_free_themselves) {
  AlignedBuffer big = allocate_aligned(std::size_t{1} << 19);  // 2 MiB: mapped
  AlignedBuffer small = allocate_aligned(100);
  big[(std::size_t{1} << 19) - 1] = 1.0f;
  small[99] = 2.0f;
  BOOST_TEST(big[(std::size_t{1} << 19) - 1] + small[99] == 3.0f);
  BOOST_TEST(!allocate_aligned(0));  // an empty buffer holds nothing
}

// From 2 MiB up a buffer starts on a huge-page boundary (its header is the kAlignment bytes before it) and its
// mapping is advised as huge pages ("hg" in the kernel's VmFlags); a mapped buffer below that is not (unless
// TAPEGRAD_HUGE_PAGES=0 was set for the whole run, which turns the advice off).
BOOST_AUTO_TEST_CASE(large_buffers_are_advised_as_huge_pages) {
  static const int probe = 0;  // in the program's data: any mapping has VmFlags where the kernel writes them
  if (mapping_flags(&probe).empty()) {
    BOOST_TEST_MESSAGE("skipped: /proc/self/smaps has no VmFlags here");
    return;
  }
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {  // a kernel built without them refuses advice
    BOOST_TEST_MESSAGE("skipped: this kernel has no transparent huge pages");
    return;
  }
  const char* setting = std::getenv("TAPEGRAD_HUGE_PAGES");
  const bool wanted = !(setting && std::strcmp(setting, "0") == 0);
  const std::size_t huge = std::size_t{2} << 20;
  for (const std::size_t bytes : {huge - kAlignment, huge + 100, 3 * huge + 4096 + 7}) {
    void* p = aligned_bytes(bytes);
    std::memset(p, 1, bytes);
    const std::string flags = mapping_flags(p);
    if (wanted)
      BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % huge == kAlignment,
                 bytes << " bytes: not on a huge-page boundary");
    BOOST_TEST((flags.find(" hg") != std::string::npos) == wanted, bytes << " bytes: " << flags);
    aligned_free(p);
  }
  void* mapped_small = aligned_bytes(std::size_t{3} << 19);  // 1.5 MiB: mapped, in small pages
  BOOST_TEST(mapping_flags(mapped_small).find(" hg") == std::string::npos);
  aligned_free(mapped_small);
}

BOOST_AUTO_TEST_SUITE_END()
