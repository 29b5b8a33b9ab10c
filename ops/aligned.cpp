// Aligned allocation through std::aligned_alloc (size rounded up to the alignment, as the standard requires).
#include "ops/aligned.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace tapegrad {

void AlignedFree::operator()(float* p) const noexcept { std::free(p); }

namespace {
std::atomic<std::uint64_t> allocations{0};
}  // namespace

void* aligned_bytes(std::size_t bytes) {
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;  // aligned_alloc wants a multiple of the alignment
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p) throw std::bad_alloc();
  allocations.fetch_add(1, std::memory_order_relaxed);
  return p;
}

std::uint64_t aligned_allocation_count() { return allocations.load(std::memory_order_relaxed); }

AlignedBuffer allocate_aligned(std::size_t n) {
  if (n == 0) return AlignedBuffer();
  return AlignedBuffer(static_cast<float*>(aligned_bytes(n * sizeof(float))));
}

}  // namespace tapegrad
