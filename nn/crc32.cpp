// CRC-32 through zlib's crc32_z (zlib already reads the Brown corpus's gzip for lm/; see crc32.hpp).
#include "nn/crc32.hpp"

#include <zlib.h>

namespace tapegrad::nn {

std::uint32_t crc32(std::span<const std::byte> bytes, std::uint32_t crc) {
  return static_cast<std::uint32_t>(
      crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<z_size_t>(bytes.size())));
}

}  // namespace tapegrad::nn
