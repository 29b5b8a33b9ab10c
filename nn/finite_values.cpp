// Non-finite search: a float is NaN or ±∞ exactly when its exponent bits are all ones. The scan takes the largest
// magnitude pattern (bits with the sign cleared) of each block of values, an integer maximum the compiler vectorises,
// and looks for the element only in a block that holds one.
#include "nn/finite_values.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tapegrad::nn {

namespace {
constexpr std::uint32_t kMagnitude = 0x7FFFFFFFu;
constexpr std::uint32_t kInfinityBits = 0x7F800000u;  // the smallest magnitude pattern that is not finite
constexpr std::size_t kBlock = 4096;

// Largest magnitude pattern of n words read from p (unaligned allowed).
std::uint32_t max_magnitude(const std::byte* p, std::size_t n) {
  std::uint32_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, p + 4 * i, 4);
    m = std::max(m, bits & kMagnitude);
  }
  return m;
}

std::optional<NonFiniteValue> scan(const std::byte* p, std::size_t count) {
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t n = std::min(kBlock, count - start);
    if (max_magnitude(p + 4 * start, n) < kInfinityBits) continue;
    for (std::size_t i = start; i < start + n; ++i) {
      float v = 0;
      std::memcpy(&v, p + 4 * i, 4);
      if (!std::isfinite(v)) return NonFiniteValue{i, v};
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<NonFiniteValue> first_non_finite(std::span<const float> values) {
  return scan(reinterpret_cast<const std::byte*>(values.data()), values.size());
}

std::optional<NonFiniteValue> first_non_finite_f32_bytes(std::span<const std::byte> bytes) {
  return scan(bytes.data(), bytes.size() / 4);
}

std::optional<NonFiniteParameter> first_non_finite_parameter(Module& model) {
  for (Parameter* p : model.parameters()) {
    const Tensor& v = p->value();
    if (auto bad = first_non_finite(v.span()))
      return NonFiniteParameter{p->name(), *bad};
  }
  return std::nullopt;
}

std::string describe(float non_finite) {
  if (std::isnan(non_finite)) return "nan";
  return non_finite > 0 ? "inf" : "-inf";
}

std::string describe(const NonFiniteValue& v) {
  return "holds " + describe(v.value) + " at element " + std::to_string(v.index);
}

}  // namespace tapegrad::nn
