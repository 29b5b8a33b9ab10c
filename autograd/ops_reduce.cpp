// Reductions to a scalar: sum and mean.
#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "ops/elementwise.hpp"
#include "ops/error.hpp"
#include "ops/reduce.hpp"

namespace tapegrad::autograd {

// y = Σ x;   gx += gy (broadcast)
Var sum(Var x) {
  Tape& tape = x.tape();
  Var y = tape.record(OpCode::Sum, std::span<const Var>(&x, 1), Shape::scalar());
  *tape.mutable_value(y) = ops::sum(x.shape().numel(), x.value().data);
  return y;
}
void backward_Sum(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::add_scalar_acc(c.input_shape(0).numel(), c.grad()[0], gx);
}

// y = Σ x / n;   gx += gy / n
Var mean(Var x) {
  const index_t n = x.shape().numel();
  if (n == 0) throw ShapeError("mean: the mean of an empty tensor (" + x.shape().str() + ") is undefined");
  Tape& tape = x.tape();
  Var y = tape.record(OpCode::Mean, std::span<const Var>(&x, 1), Shape::scalar());
  *tape.mutable_value(y) = ops::mean(n, x.value().data);
  return y;
}
void backward_Mean(const BackwardContext& c) {
  const index_t n = c.input_shape(0).numel();
  if (float* gx = c.input_grad(0)) ops::add_scalar_acc(n, c.grad()[0] / static_cast<float>(n), gx);
}

}  // namespace tapegrad::autograd
