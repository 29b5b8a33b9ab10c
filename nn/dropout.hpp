// Dropout (inverted, Srivastava et al. 2014): in training mode each element is kept with probability 1 − p and
// scaled by 1/(1 − p), so the expected value is unchanged and evaluation needs no rescaling; in evaluation mode (and
// for p = 0) it is the identity and records nothing. The mask comes from the caller's Rng, so a seeded run drops
// the same elements every time.
#pragma once

#include "nn/module.hpp"
#include "ops/random.hpp"

namespace tapegrad::nn {

class Dropout : public Module {
 public:
  explicit Dropout(float p);  // 0 ≤ p < 1

  // y = x ⊙ m,  m_i = [u_i ≥ p] / (1 − p),  u_i ~ U[0, 1): a constant mask node and a mul node on x's tape.
  autograd::Var forward(autograd::Var x, Rng& rng);
  float p() const { return p_; }

 private:
  float p_;
};

}  // namespace tapegrad::nn
