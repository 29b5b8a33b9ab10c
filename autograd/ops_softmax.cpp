// Softmax, log-softmax and the fused softmax + cross-entropy loss.
#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/reduce.hpp"
#include "ops/softmax.hpp"

namespace tapegrad::autograd {

namespace {
Var rowwise(OpCode op, Var x, void (*kernel)(index_t, index_t, const float*, float*)) {
  const Shape& s = x.shape();
  detail::require_shape(s.rank() >= 1 && s.cols() > 0, op,
                        [&] { return "needs a non-empty last dimension, got " + s.str(); });
  Tape& tape = x.tape();
  Var y = tape.record(op, std::span<const Var>(&x, 1), s);
  kernel(s.rows(), s.cols(), x.value().data, tape.mutable_value(y));
  return y;
}
}  // namespace

// y = softmax(x) per row;   gx += y ⊙ (gy − ⟨gy, y⟩)
Var softmax(Var x) { return rowwise(OpCode::Softmax, x, ops::softmax_rows); }
void backward_Softmax(const BackwardContext& c) {
  if (float* gx = c.input_grad(0))
    ops::softmax_backward_acc(c.shape().rows(), c.shape().cols(), c.value(), c.grad(), gx);
}

// y = x − logsumexp(x) per row;   gx += gy − softmax(x) · Σ gy
Var log_softmax(Var x) { return rowwise(OpCode::LogSoftmax, x, ops::log_softmax_rows); }
void backward_LogSoftmax(const BackwardContext& c) {
  if (float* gx = c.input_grad(0))
    ops::log_softmax_backward_acc(c.shape().rows(), c.shape().cols(), c.value(), c.grad(), gx);
}

// J = (1/R) Σ_r (lse_r − x[r, t_r]),  lse_r = log Σ_j e^{x[r,j]};
// gx[r,c] += gJ/R · (softmax(x)[r,c] − [c = t_r])   (softmax recomputed from x and the saved lse_r)
Var cross_entropy(Var logits, std::span<const std::int32_t> targets) {
  const Shape& s = logits.shape();
  detail::require_shape(s.rank() >= 1 && s.cols() > 0 && s.rows() > 0, OpCode::CrossEntropy,
                        [&] { return "logits must be rows × vocab with both non-zero, got " + s.str(); });
  detail::require_shape(static_cast<index_t>(targets.size()) == s.rows(), OpCode::CrossEntropy, [&] {
    return std::to_string(targets.size()) + " targets for logits " + s.str() + " (" + std::to_string(s.rows()) +
           " rows)";
  });
  for (std::size_t i = 0; i < targets.size(); ++i)
    detail::require_usage(targets[i] >= 0 && targets[i] < s.cols(), OpCode::CrossEntropy, [&] {
      return "target " + std::to_string(targets[i]) + " at row " + std::to_string(i) +
             " is outside the vocabulary of " + std::to_string(s.cols());
    });
  Tape& tape = logits.tape();
  Var loss = tape.record(OpCode::CrossEntropy, std::span<const Var>(&logits, 1), Shape::scalar());
  tape.save_ids(loss, targets);
  const auto rows = static_cast<std::size_t>(s.rows());
  float* lse = tape.save_floats(loss, 2 * rows);  // [lse (rows) | per-row loss (rows)]
  ops::softmax_xent_forward(s.rows(), s.cols(), logits.value().data, targets.data(), lse + rows, lse);
  *tape.mutable_value(loss) = ops::mean(s.rows(), lse + rows);
  return loss;
}
void backward_CrossEntropy(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) {
    const Shape& s = c.input_shape(0);
    const float scale = c.grad()[0] / static_cast<float>(s.rows());
    if (c.input_grad_replaces_value(0))  // lean: the logits' gradient is written over them, each read first
      ops::softmax_xent_backward(s.rows(), s.cols(), c.input_value(0), c.node().ids, c.node().saved, scale, gx);
    else
      ops::softmax_xent_backward_acc(s.rows(), s.cols(), c.input_value(0), c.node().ids, c.node().saved, scale, gx);
  }
}

}  // namespace tapegrad::autograd
