// CRC-32, eight bytes per step ("slicing by 8"): table k maps a byte to its contribution k bytes further on, so the
// eight lookups of a step are independent of each other and the loop runs at a few bytes per cycle.
#include "nn/crc32.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace tapegrad::nn {

namespace {
constexpr std::uint32_t kPolynomial = 0xEDB88320u;  // x³² + x²⁶ + … + 1, bit-reversed

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t c = byte;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][byte] = c;
  }
  for (std::size_t k = 1; k < t.size(); ++k)
    for (std::size_t byte = 0; byte < 256; ++byte) t[k][byte] = (t[k - 1][byte] >> 8) ^ t[0][t[k - 1][byte] & 0xFFu];
  return t;
}
constexpr Tables kTables = make_tables();

static_assert(std::endian::native == std::endian::little, "the 8-byte step reads words little-endian");
}  // namespace

std::uint32_t crc32(std::span<const std::byte> bytes, std::uint32_t crc) {
  std::uint32_t c = ~crc;
  const std::byte* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint32_t lo = 0, hi = 0;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^ kTables[5][(lo >> 16) & 0xFFu] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^ kTables[2][(hi >> 8) & 0xFFu] ^
        kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ kTables[0][(c ^ static_cast<std::uint32_t>(*p)) & 0xFFu];
  return ~c;
}

}  // namespace tapegrad::nn
