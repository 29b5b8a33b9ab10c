// Linear layer: one matmul and a bias broadcast on the tape.
#include "nn/linear.hpp"

#include <cmath>

#include "autograd/functions.hpp"
#include "nn/init.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

Linear::Linear(index_t in, index_t out, Rng& rng, LinearOptions options) {
  if (in <= 0 || out <= 0)
    throw UsageError("Linear: sizes must be positive, got in = " + std::to_string(in) +
                     ", out = " + std::to_string(out));
  const float a = options.init_range > 0 ? options.init_range : 1.0f / std::sqrt(static_cast<float>(in));
  W_ = &add_parameter("W", Shape{in, out});
  init::uniform(W_->value(), -a, a, rng);
  if (options.bias) {
    b_ = &add_parameter("b", Shape{out});
    init::uniform(b_->value(), -a, a, rng);
  }
}

autograd::Var Linear::forward(autograd::Var x) {
  autograd::Tape& tape = x.tape();
  return b_ ? autograd::linear(x, W_->var(tape), b_->var(tape)) : autograd::matmul(x, W_->var(tape));
}

}  // namespace tapegrad::nn
