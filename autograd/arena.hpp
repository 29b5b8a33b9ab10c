// A bump allocator for the tape's values and gradients: allocation is a pointer increment, reset() forgets every
// allocation at once but keeps the memory, so a training step that records the same graph again allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tapegrad::autograd {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Uninitialised storage for n floats / ints, aligned to 64 bytes (valid until reset()).
  float* floats(std::size_t n) { return static_cast<float*>(bytes(n * sizeof(float))); }
  std::int32_t* ints(std::size_t n) { return static_cast<std::int32_t*>(bytes(n * sizeof(std::int32_t))); }
  void* bytes(std::size_t n);

  // Forgets all allocations. If the last round needed several blocks, they are replaced by one block of exactly the
  // size that round used, so the next identical round is served from a single block with nothing to spare.
  void reset();
  std::size_t reserved_bytes() const;  // memory held (capacity), not memory in use

 private:
  struct Free {
    void operator()(std::byte* p) const noexcept;
  };
  struct Block {
    std::unique_ptr<std::byte[], Free> memory;
    std::size_t capacity = 0;
    std::size_t used = 0;
  };
  void add_block(std::size_t min_bytes);

  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // index of the block being filled
};

}  // namespace tapegrad::autograd
