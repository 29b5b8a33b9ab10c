// Rng: the one random number generator of tapegrad (initialisers, dropout masks, shuffling, sampling).
// xoshiro256** seeded through splitmix64, with every distribution written here rather than taken from <random>,
// whose distributions differ between standard libraries: the same seed gives the same numbers on every platform,
// and the whole state is four words that a checkpoint can save and restore.
#pragma once

#include <array>
#include <cstdint>

namespace tapegrad {

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0x5eed) { reseed(seed); }

  void reseed(std::uint64_t seed);
  const State& state() const { return s_; }
  // Throws UsageError for the all-zero state, the one state xoshiro cannot leave.
  void set_state(const State& state);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 24 random bits (every float it returns is exactly representable).
  float uniform();
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform_double();
  // Uniform integer in [0, n), n ≥ 1, without modulo bias (rejection sampling).
  std::uint64_t uniform_int(std::uint64_t n);
  // Standard normal N(0, 1) by the Box–Muller transform (two uniforms per call, computed in double).
  float normal();
  float normal(float mean, float stddev) { return mean + stddev * normal(); }

 private:
  State s_{};
};

}  // namespace tapegrad
