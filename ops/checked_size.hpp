// Checked sizes: the one place where tapegrad multiplies dimensions into element counts and element counts into byte
// sizes. Every product is checked for overflow (a 64-bit element count, a size_t byte count) before anything is
// allocated, so a shape such as 2⁶²×8 read from a file or a flag is refused with a message naming what was being
// sized, instead of wrapping around to a small number and corrupting memory.
//
//   checked_product({rows, cols}, "embedding table")   → rows·cols, or SizeError
//   checked_bytes(n, sizeof(float), "tensor")          → n·4 as a size_t, or SizeError
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "ops/error.hpp"

namespace tapegrad {

// A size that cannot be represented (an element count beyond 2⁶³ − 1, a byte count beyond SIZE_MAX) or that is
// larger than a limit. The message names what was being sized and the numbers involved.
class SizeError : public Error {
 public:
  using Error::Error;
};

// Throws SizeError "<what>: <a> × <b> overflows …" (out of line: the failure path only).
[[noreturn]] void throw_product_overflow(std::int64_t a, std::int64_t b, std::string_view what);
[[noreturn]] void throw_bytes_overflow(std::uint64_t count, std::size_t element_bytes, std::string_view what);
[[noreturn]] void throw_sum_overflow(std::int64_t a, std::int64_t b, std::string_view what);
[[noreturn]] void throw_negative_size(std::int64_t value, std::string_view what);

// a·b for non-negative a, b; SizeError naming `what` if the product does not fit in 63 bits.
inline std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what) {
  if (a < 0) throw_negative_size(a, what);
  if (b < 0) throw_negative_size(b, what);
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) throw_product_overflow(a, b, what);
  return product;
}

// a + b for non-negative a, b; SizeError naming `what` on overflow.
inline std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  if (a < 0) throw_negative_size(a, what);
  if (b < 0) throw_negative_size(b, what);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) throw_sum_overflow(a, b, what);
  return sum;
}

// The product of non-negative dimensions (1 for none); SizeError naming `what` if it overflows.
inline std::int64_t checked_product(std::span<const std::int64_t> dims, std::string_view what) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) n = checked_mul(n, d, what);
  return n;
}
inline std::int64_t checked_product(std::initializer_list<std::int64_t> dims, std::string_view what) {
  return checked_product(std::span<const std::int64_t>(dims.begin(), dims.size()), what);
}

// count elements of element_bytes each, in bytes; SizeError naming `what` if that does not fit in a size_t.
inline std::size_t checked_bytes(std::uint64_t count, std::size_t element_bytes, std::string_view what) {
  std::size_t bytes = 0;
  if (count > SIZE_MAX || __builtin_mul_overflow(static_cast<std::size_t>(count), element_bytes, &bytes))
    throw_bytes_overflow(count, element_bytes, what);
  return bytes;
}

// "1.5 GB", "640 MB", "12 kB", "100 bytes": a byte count for messages (decimal units).
std::string format_bytes(double bytes);

// The machine's physical memory in bytes (sysconf), or 0 when the system does not say.
std::uint64_t physical_memory_bytes();

}  // namespace tapegrad
