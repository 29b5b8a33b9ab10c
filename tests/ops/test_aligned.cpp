// Aligned allocation (ops/aligned.hpp): small buffers from the heap, large ones mapped from the kernel — both aligned
// to 64 bytes, usable to their last byte, counted, and given back the way they came (ASan and the leak checker
// watch the heap ones; a mapped buffer freed as if it were a heap one would crash here).
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstring>

#include "ops/aligned.hpp"

using namespace tapegrad;

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

BOOST_AUTO_TEST_SUITE_END()
