// Aligned allocation. Every buffer carries a small header in the kAlignment bytes before the pointer handed out: its
// size and how it was obtained, so that aligned_free can give it back the same way.
//
// Small buffers come from std::aligned_alloc. Large ones (≥ kMapBytes) are mapped straight from the kernel (mmap)
// and unmapped when freed, so their memory returns to the system at once, whatever malloc's heuristics do. glibc's
// malloc, for one, raises its mmap threshold to the size of any mapped buffer that is freed, so later buffers of
// that size stay on its heap and the process's peak grows: packing a model's parameters into one block (which
// frees each parameter's own buffer) added 16 MB to the LSTM language model's peak resident memory that way.
#include "ops/aligned.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "ops/checked_size.hpp"

namespace tapegrad {

namespace {

constexpr std::size_t kMapBytes = std::size_t{1} << 20;  // 1 MiB: mapping costs two system calls, worth it above this

struct Header {
  std::size_t total;  // bytes obtained, header included
  bool mapped;
};
static_assert(sizeof(Header) <= kAlignment, "the header must fit in the alignment gap before the buffer");

std::atomic<std::uint64_t> allocations{0};

}  // namespace

void* aligned_bytes(std::size_t bytes) {
  // bytes rounded up to the alignment, plus the header: refused (SizeError) rather than wrapped around to a small
  // buffer when that does not fit in a size_t.
  if (bytes > SIZE_MAX - 2 * kAlignment)
    throw SizeError("aligned allocation: " + std::to_string(bytes) + " bytes is more than the address space holds");
  const std::size_t total = kAlignment + (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* base = nullptr;
  const bool mapped = total >= kMapBytes;
  if (mapped) {  // page-aligned, hence kAlignment-aligned
    base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
  } else {
    base = std::aligned_alloc(kAlignment, total);  // total is a multiple of the alignment, as the standard requires
    if (!base) throw std::bad_alloc();
  }
  new (base) Header{total, mapped};
  allocations.fetch_add(1, std::memory_order_relaxed);
  return static_cast<std::byte*>(base) + kAlignment;
}

void aligned_free(void* p) noexcept {
  if (!p) return;
  void* base = static_cast<std::byte*>(p) - kAlignment;
  const Header header = *static_cast<const Header*>(base);
  if (header.mapped)
    munmap(base, header.total);
  else
    std::free(base);
}

void AlignedFree::operator()(float* p) const noexcept { aligned_free(p); }

std::uint64_t aligned_allocation_count() { return allocations.load(std::memory_order_relaxed); }

AlignedBuffer allocate_aligned(std::size_t n) {
  if (n == 0) return AlignedBuffer();
  return AlignedBuffer(static_cast<float*>(aligned_bytes(checked_bytes(n, sizeof(float), "aligned float buffer"))));
}

}  // namespace tapegrad
