// 64-byte aligned float storage (one cache line, one AVX-512 vector), shared by Tensor and the tape's arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tapegrad {

inline constexpr std::size_t kAlignment = 64;

struct AlignedFree {
  void operator()(float* p) const noexcept;
};
using AlignedBuffer = std::unique_ptr<float[], AlignedFree>;

// Uninitialised storage for n floats (n may be 0: returns an empty buffer). Throws SizeError when n·4 bytes does not
// fit in a size_t (ops/checked_size.hpp), std::bad_alloc when the memory is not there.
AlignedBuffer allocate_aligned(std::size_t n);

// `bytes` (> 0) of uninitialised storage (SizeError if bytes plus the header overflows, std::bad_alloc without memory) aligned to kAlignment, released with aligned_free (never std::free). Every
// aligned allocation of tapegrad (tensors, parameter blocks, the tape's arenas, GEMM packing buffers) goes through
// here, so that one counter sees them. Buffers of a megabyte or more are mapped from the kernel and go back to it
// when freed; from 2 MiB they start on a huge-page boundary and are advised as huge pages (TAPEGRAD_HUGE_PAGES=0:
// not advised). ops/aligned.cpp says why.
void* aligned_bytes(std::size_t bytes);
void aligned_free(void* p) noexcept;  // p from aligned_bytes, or null
// How many aligned allocations the process has made so far (tests/lm/test_no_alloc.cpp checks that a training step
// makes none; these do not go through operator new).
std::uint64_t aligned_allocation_count();

}  // namespace tapegrad
