// Arena: blocks of 64-byte aligned memory handed out by bumping an offset.
#include "autograd/arena.hpp"

#include <algorithm>

#include "ops/aligned.hpp"

namespace tapegrad::autograd {

namespace {
constexpr std::size_t kAlign = 64;
constexpr std::size_t kMinBlock = std::size_t{1} << 20;  // 1 MiB
std::size_t round_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
}  // namespace

void Arena::Free::operator()(std::byte* p) const noexcept { aligned_free(p); }

void Arena::add_block(std::size_t min_bytes) {
  std::size_t last = blocks_.empty() ? 0 : blocks_.back().capacity;
  std::size_t capacity = round_up(std::max({min_bytes, kMinBlock, 2 * last}));
  auto* p = static_cast<std::byte*>(aligned_bytes(capacity));
  blocks_.push_back(Block{std::unique_ptr<std::byte[], Free>(p), capacity, 0});
}

void* Arena::bytes(std::size_t n) {
  n = round_up(n == 0 ? 1 : n);
  while (current_ < blocks_.size() && blocks_[current_].capacity - blocks_[current_].used < n) ++current_;
  if (current_ == blocks_.size()) add_block(n);
  Block& b = blocks_[current_];
  void* p = b.memory.get() + b.used;
  b.used += n;
  return p;
}

void Arena::reset() {
  std::size_t used_blocks = 0, used = 0;
  for (const Block& b : blocks_) {
    used_blocks += b.used > 0;
    used += b.used;
  }
  if (used_blocks > 1) {  // merge: one block exactly as large as the last round used, which a repeat fills exactly
    blocks_.clear();
    add_block(used);
  }
  for (Block& b : blocks_) b.used = 0;
  current_ = 0;
}

std::size_t Arena::reserved_bytes() const {
  std::size_t total = 0;
  for (const Block& b : blocks_) total += b.capacity;
  return total;
}

}  // namespace tapegrad::autograd
