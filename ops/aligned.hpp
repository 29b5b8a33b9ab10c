// 64-byte aligned float storage (one cache line, one AVX-512 vector), shared by Tensor and the tape's arena.
#pragma once

#include <cstddef>
#include <memory>

namespace tapegrad {

inline constexpr std::size_t kAlignment = 64;

struct AlignedFree {
  void operator()(float* p) const noexcept;
};
using AlignedBuffer = std::unique_ptr<float[], AlignedFree>;

// Uninitialised storage for n floats (n may be 0: returns an empty buffer). Throws std::bad_alloc.
AlignedBuffer allocate_aligned(std::size_t n);

}  // namespace tapegrad
