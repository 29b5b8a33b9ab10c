// Inverted dropout as a constant mask times the input.
#include "nn/dropout.hpp"

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

Dropout::Dropout(float p) : p_(p) {
  if (!(p >= 0.0f && p < 1.0f)) throw UsageError("Dropout: p must be in [0, 1), got " + std::to_string(p));
}

autograd::Var Dropout::forward(autograd::Var x, Rng& rng) {
  if (!is_training() || p_ == 0.0f) return x;
  autograd::Tape& tape = x.tape();
  autograd::Var mask = tape.full(x.shape(), 0.0f);
  float* m = tape.mutable_value(mask);
  const float keep_scale = 1.0f / (1.0f - p_);
  for (index_t i = 0; i < x.shape().numel(); ++i) m[i] = rng.uniform() >= p_ ? keep_scale : 0.0f;
  return autograd::mul(x, mask);
}

}  // namespace tapegrad::nn
