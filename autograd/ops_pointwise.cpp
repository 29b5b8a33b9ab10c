// Elementwise ops. Each: the recording function (forward), then its backward rule. gy = ∂J/∂y.
#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/activation.hpp"
#include "ops/elementwise.hpp"

namespace tapegrad::autograd {

using detail::binary;
using detail::unary;

// y = a + b;   ga += gy,  gb += gy
Var add(Var a, Var b) { return binary(OpCode::Add, a, b, ops::add); }
void backward_Add(const BackwardContext& c) {
  if (float* ga = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), ga);
  if (float* gb = c.input_grad(1)) ops::axpy(c.numel(), 1.0f, c.grad(), gb);
}

// y = a − b;   ga += gy,  gb −= gy
Var sub(Var a, Var b) { return binary(OpCode::Sub, a, b, ops::sub); }
void backward_Sub(const BackwardContext& c) {
  if (float* ga = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), ga);
  if (float* gb = c.input_grad(1)) ops::axpy(c.numel(), -1.0f, c.grad(), gb);
}

// y = a ⊙ b;   ga += gy ⊙ b,  gb += gy ⊙ a
Var mul(Var a, Var b) { return binary(OpCode::Mul, a, b, ops::mul); }
void backward_Mul(const BackwardContext& c) {
  if (float* ga = c.input_grad(0)) ops::mul_acc(c.numel(), c.grad(), c.input_value(1), ga);
  if (float* gb = c.input_grad(1)) ops::mul_acc(c.numel(), c.grad(), c.input_value(0), gb);
}

// y = a ⊘ b;   ga += gy ⊘ b,  gb −= gy ⊙ y ⊘ b   (∂y/∂b = −a/b² = −y/b)
Var div(Var a, Var b) { return binary(OpCode::Div, a, b, ops::div); }
void backward_Div(const BackwardContext& c) {
  if (float* ga = c.input_grad(0)) ops::div_acc(c.numel(), c.grad(), c.input_value(1), ga);
  if (float* gb = c.input_grad(1)) ops::div_rhs_backward_acc(c.numel(), c.grad(), c.value(), c.input_value(1), gb);
}

// y = −x;   gx −= gy
Var neg(Var x) { return unary(OpCode::Neg, x, ops::neg); }
void backward_Neg(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), -1.0f, c.grad(), gx);
}

// y = α·x;   gx += α·gy
Var scale(Var x, float alpha) {
  OpParams p;
  p.scalar = alpha;
  return unary(
      OpCode::Scale, x, [alpha](index_t n, const float* in, float* out) { ops::scale(n, alpha, in, out); }, p);
}
void backward_Scale(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), c.params().scalar, c.grad(), gx);
}

// y = x + c;   gx += gy
Var add_scalar(Var x, float value) {
  OpParams p;
  p.scalar = value;
  return unary(
      OpCode::AddScalar, x, [value](index_t n, const float* in, float* out) { ops::add_scalar(n, value, in, out); }, p);
}
void backward_AddScalar(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), gx);
}

// y = tanh x;   gx += gy ⊙ (1 − y²)
Var tanh(Var x) { return unary(OpCode::Tanh, x, ops::tanh); }
void backward_Tanh(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::tanh_backward_acc(c.numel(), c.value(), c.grad(), gx);
}

// y = σ(x);   gx += gy ⊙ y ⊙ (1 − y)
Var sigmoid(Var x) { return unary(OpCode::Sigmoid, x, ops::sigmoid); }
void backward_Sigmoid(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::sigmoid_backward_acc(c.numel(), c.value(), c.grad(), gx);
}

// y = max(x, 0);   gx += gy ⊙ [x > 0]   (the subgradient 0 is taken at x = 0)
Var relu(Var x) { return unary(OpCode::Relu, x, ops::relu); }
void backward_Relu(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::relu_backward_acc(c.numel(), c.input_value(0), c.grad(), gx);
}

// y = e^x;   gx += gy ⊙ y
Var exp(Var x) { return unary(OpCode::Exp, x, ops::exp); }
void backward_Exp(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::mul_acc(c.numel(), c.grad(), c.value(), gx);
}

// y = ln x;   gx += gy ⊘ x
Var log(Var x) { return unary(OpCode::Log, x, ops::log); }
void backward_Log(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::div_acc(c.numel(), c.grad(), c.input_value(0), gx);
}

// Composites: no rules of their own, their gradients come from the primitives they record.
// σ(x) = 1 ⊘ (1 + e^{−x})
Var sigmoid_composite(Var x) {
  Var denominator = add_scalar(exp(neg(x)), 1.0f);
  return div(x.tape().full(x.shape(), 1.0f), denominator);
}
// tanh x = 2σ(2x) − 1
Var tanh_composite(Var x) { return add_scalar(scale(sigmoid_composite(scale(x, 2.0f)), 2.0f), -1.0f); }

}  // namespace tapegrad::autograd
