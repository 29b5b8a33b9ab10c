// xoshiro256** (Blackman & Vigna 2018) and the distributions tapegrad draws from it.
#include "ops/random.hpp"

#include <cmath>
#include <numbers>

#include "ops/error.hpp"

namespace tapegrad {

namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64: spreads a seed (even 0 or 1) over well-mixed 64-bit words.
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

void Rng::reseed(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

void Rng::set_state(const State& state) {
  if (state[0] == 0 && state[1] == 0 && state[2] == 0 && state[3] == 0)
    throw UsageError("Rng::set_state: the all-zero state is invalid for xoshiro256**");
  s_ = state;
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

double Rng::uniform_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::uniform_int(std::uint64_t n) {
  if (n == 0) throw UsageError("Rng::uniform_int: the range [0, n) is empty (n = 0)");
  // Accept x below the largest multiple of n that fits in 2^64, so every residue is equally likely.
  const std::uint64_t limit = (0 - n) % n;  // = 2^64 mod n: the number of values to reject at the bottom
  std::uint64_t x;
  do x = next_u64();
  while (x < limit);
  return x % n;
}

float Rng::normal() {
  // Box–Muller: for u1 ∈ (0, 1], u2 ∈ [0, 1), √(−2 ln u1) · cos(2π u2) ~ N(0, 1).
  const double u1 = 1.0 - uniform_double();
  const double u2 = uniform_double();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

}  // namespace tapegrad
