// Linear: y = x·W + b, for x of shape (… × in) and y of shape (… × out). W is stored in × out, so the forward
// product needs no transpose; b is optional. One `linear` node on the tape (the bias added as the GEMM writes).
#pragma once

#include "nn/module.hpp"
#include "ops/random.hpp"

namespace tapegrad::nn {

struct LinearOptions {
  bool bias = true;
  // W and b drawn from U(−a, a); a = 0 means PyTorch's default a = 1/√in.
  float init_range = 0.0f;
};

class Linear : public Module {
 public:
  Linear(index_t in, index_t out, Rng& rng, LinearOptions options = {});

  autograd::Var forward(autograd::Var x);
  index_t in_features() const { return W_->shape()[0]; }
  index_t out_features() const { return W_->shape()[1]; }
  Parameter& weight() { return *W_; }
  Parameter* bias() { return b_; }

 private:
  Parameter* W_;
  Parameter* b_ = nullptr;
};

}  // namespace tapegrad::nn
