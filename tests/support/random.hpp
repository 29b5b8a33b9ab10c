// Seeded random tensors for tests: uniform values, optionally kept away from a kink (|x| ≥ margin).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "ops/tensor.hpp"

namespace tapegrad::testing {

inline Tensor uniform_tensor(const Shape& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (index_t i = 0; i < t.numel(); ++i) t[i] = dist(rng);
  return t;
}

// Uniform in ±[margin, hi]: for ops with a kink or a pole at zero (relu, div).
inline Tensor away_from_zero(const Shape& shape, std::mt19937& rng, float margin, float hi) {
  Tensor t = uniform_tensor(shape, rng, margin, hi);
  std::bernoulli_distribution sign(0.5);
  for (index_t i = 0; i < t.numel(); ++i)
    if (sign(rng)) t[i] = -t[i];
  return t;
}

inline std::vector<std::int32_t> random_ids(std::size_t n, std::int32_t vocab, std::mt19937& rng) {
  std::uniform_int_distribution<std::int32_t> dist(0, vocab - 1);
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = dist(rng);
  return ids;
}

}  // namespace tapegrad::testing
