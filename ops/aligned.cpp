// Aligned allocation. Every buffer carries a small header in the kAlignment bytes before the pointer handed out: its
// size and how it was obtained, so that aligned_free can give it back the same way.
//
// Small buffers come from std::aligned_alloc. Large ones (≥ kMapBytes) are mapped straight from the kernel (mmap)
// and unmapped when freed, so their memory returns to the system at once, whatever malloc's heuristics do. glibc's
// malloc, for one, raises its mmap threshold to the size of any mapped buffer that is freed, so later buffers of
// that size stay on its heap and the process's peak grows: packing a model's parameters into one block (which
// frees each parameter's own buffer) added 16 MB to the LSTM language model's peak resident memory that way.
//
// Buffers of a huge page (2 MiB) or more are mapped at a huge-page boundary and advised as huge-page memory
// (madvise MADV_HUGEPAGE; Linux's default setting, "madvise", gives huge pages only to memory advised so). A GEMM
// walks its operands' rows: the language model's decoder reads the 700 × 10,000 gradient of its logits (28 MB) a few
// rows of 40 KB at a time, each row on another 4 KiB page, which is 7,000 pages, more than the core's TLB holds
// (2,048 entries on Zen 3); in 2 MiB pages it is 14. Zen 3, bench/lm_throughput --train-only, pairs of runs with
// the advice off → on: lstm 3,844 → 4,349, 3,793 → 3,823, 3,549 → 3,737, 3,642 → 3,673, 3,949 → 4,073 tok/s
// (the decoder's three products 5–10% faster); char512 3,316 → 3,521. The price is memory: a huge page is backed
// whole as soon as one byte of it is touched, so buffers not used to their end (the tape's arena chunks) hold more:
// peak resident memory 99.6 → 108.5 MB (lstm), 553 → 559 MB (char512). The partial huge page at a buffer's end
// stays in small pages (the mapping ends there). TAPEGRAD_HUGE_PAGES=0 turns the advice off.
#include "ops/aligned.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "ops/checked_size.hpp"

namespace tapegrad {

namespace {

constexpr std::size_t kMapBytes = std::size_t{1} << 20;  // 1 MiB: mapping costs two system calls, worth it above this
constexpr std::size_t kHugePage = std::size_t{2} << 20;  // x86-64's (and AArch64's with 4 KiB pages) huge page

bool huge_pages_wanted() {
  static const bool wanted = [] {
    const char* v = std::getenv("TAPEGRAD_HUGE_PAGES");
    return !(v && std::strcmp(v, "0") == 0);
  }();
  return wanted;
}

// At least `total` bytes mapped from the kernel (their count, whole pages, in `total`): from a huge page up starting
// on a huge-page boundary (mapped with a huge page of slack, the slack unmapped) and advised as huge pages. Null when
// the kernel refuses.
void* map_bytes(std::size_t& total) {
  constexpr std::size_t kPage = 4096;
  total = (total + kPage - 1) / kPage * kPage;  // munmap takes whole pages: the tail below must start on one
  if (total < kHugePage || !huge_pages_wanted()) {
    void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return base == MAP_FAILED ? nullptr : base;
  }
  if (total > SIZE_MAX - kHugePage) return nullptr;
  void* raw = mmap(nullptr, total + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  const std::size_t head = aligned - start, tail = kHugePage - head;
  if (head > 0) munmap(raw, head);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + total), tail);
  void* base = reinterpret_cast<void*>(aligned);
  madvise(base, total, MADV_HUGEPAGE);  // advice only: a kernel without transparent huge pages refuses it, harmlessly
  return base;
}

struct Header {
  std::size_t total;  // bytes obtained, header included (mapped: whole pages)
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
  std::size_t total = kAlignment + (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* base = nullptr;
  const bool mapped = total >= kMapBytes;
  if (mapped) {  // page-aligned, hence kAlignment-aligned
    base = map_bytes(total);
    if (!base) throw std::bad_alloc();
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
