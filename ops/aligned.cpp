// Aligned allocation through std::aligned_alloc (size rounded up to the alignment, as the standard requires).
#include "ops/aligned.hpp"

#include <cstdlib>
#include <new>

namespace tapegrad {

void AlignedFree::operator()(float* p) const noexcept { std::free(p); }

AlignedBuffer allocate_aligned(std::size_t n) {
  if (n == 0) return AlignedBuffer();
  std::size_t bytes = (n * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p) throw std::bad_alloc();
  return AlignedBuffer(static_cast<float*>(p));
}

}  // namespace tapegrad
