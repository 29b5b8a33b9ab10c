// Stable hashes for distributed counting: which rank owns a word (lm/ngram/distributed_vocab.hpp) or an n-gram
// (lm/ngram/distributed_counts.hpp). Every rank, on every host and with every standard library, must compute the same
// owner, so these are spelled out here (std::hash is not: its values differ between library implementations).
//
// FNV-1a over bytes: h = 14695981039346656037; for each byte b: h = (h XOR b) · 1099511628211 (mod 2^64).
// Word ids are fed as 4 bytes each, least significant first, so the value does not depend on the host's byte order.
// The owner is the top bits of a final mix (the SplitMix64 finalizer) reduced to [0, ranks) by a multiply-shift:
//   owner = ((mix(h) >> 32) · ranks) >> 32
// which spreads FNV's weak low bits over every rank.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tapegrad::lm {

inline constexpr std::uint64_t kFnvOffset = 14695981039346656037ull, kFnvPrime = 1099511628211ull;

inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = kFnvOffset) {
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return h;
}

inline std::uint64_t fnv1a(std::span<const std::uint32_t> words, std::uint64_t h = kFnvOffset) {
  for (std::uint32_t w : words)
    for (int shift = 0; shift < 32; shift += 8) h = (h ^ ((w >> shift) & 0xffu)) * kFnvPrime;
  return h;
}

// z ← (z ⊕ z>>30)·0xbf58476d1ce4e5b9; z ← (z ⊕ z>>27)·0x94d049bb133111eb; z ⊕ z>>31.
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The rank in [0, ranks) that owns a key of hash h.
inline int owner_rank(std::uint64_t h, int ranks) {
  return static_cast<int>(((mix64(h) >> 32) * static_cast<std::uint64_t>(ranks)) >> 32);
}

}  // namespace tapegrad::lm
