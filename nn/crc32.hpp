// CRC-32 of a byte string: the checksum of the data section of a checkpoint (nn/safetensors.hpp). zlib computes it
// (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF): the variant of Python's zlib.crc32, gzip
// and PNG, so any other tool can verify a file: crc32("123456789") = 0xCBF43926.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tapegrad::nn {

// Continues the checksum `crc` (0 to start) over `bytes`: crc32(b, crc32(a)) == crc32(a followed by b).
std::uint32_t crc32(std::span<const std::byte> bytes, std::uint32_t crc = 0);

}  // namespace tapegrad::nn
