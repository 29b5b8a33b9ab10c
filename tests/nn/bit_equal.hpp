// Bit-for-bit comparisons shared by the optimizer tests that check a fused or packed path against its composed twin.
#pragma once

#include <cstring>
#include <span>

#include "nn/module.hpp"
#include "nn/optimizer.hpp"

namespace tapegrad::testing {

// Bit-for-bit equality: of two float ranges, of two models' parameters (in list order), of two optimizers' state.
inline bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}
inline bool same_parameters(nn::Module& a, nn::Module& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!same_bits(pa[i]->value().span(), pb[i]->value().span())) return false;
  return true;
}
inline bool same_state(const nn::Optimizer& a, const nn::Optimizer& b) {
  if (a.state_slots().size() != b.state_slots().size()) return false;
  for (std::size_t s = 0; s < a.state_slots().size(); ++s)
    if (!same_bits(a.state_slots()[s].values(), b.state_slots()[s].values())) return false;
  return true;
}

}  // namespace tapegrad::testing
