// Ops for padded batches of sequences of different lengths: the masked row choice that keeps a padded step from
// changing a recurrent state, and mean / max pooling over each sequence's own steps (many-to-one models).
#include <string>

#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/sequence.hpp"

namespace tapegrad::autograd {

// y[r] = take_a[r] ? a[r] : b[r];   ga[r] += take_a[r] ? gy[r] : 0,   gb[r] += take_a[r] ? 0 : gy[r]
Var where_rows(std::span<const std::int32_t> take_a, Var a, Var b) {
  const Var in[2] = {a, b};
  Tape& tape = Tape::common_tape(op_name(OpCode::WhereRows), in);
  detail::require_shape(a.shape() == b.shape() && a.shape().rank() >= 1, OpCode::WhereRows,
                        [&] { return "shapes differ: a is " + a.shape().str() + ", b is " + b.shape().str(); });
  const index_t rows = a.shape().rows();
  detail::require_shape(static_cast<index_t>(take_a.size()) == rows, OpCode::WhereRows, [&] {
    return "the mask has " + std::to_string(take_a.size()) + " entries for " + std::to_string(rows) + " rows of " +
           a.shape().str();
  });
  Var y = tape.record(OpCode::WhereRows, in, a.shape());
  tape.save_ids(y, take_a);
  ops::where_rows(rows, a.shape().cols(), take_a.data(), a.value().data, b.value().data, tape.mutable_value(y));
  return y;
}
void backward_WhereRows(const BackwardContext& c) {
  ops::where_rows_backward(c.shape().rows(), c.shape().cols(), c.node().ids, c.grad(), c.input_grad(0),
                           c.input_grad(1));
}

namespace {

// Checks x (T × B × H) against lengths (B, each in [1, T]) for op; returns {T, B, H}.
struct TimeDims {
  index_t T, B, H;
};
TimeDims check_time_pool(OpCode op, Var x, std::span<const std::int32_t> lengths) {
  const Shape& s = x.shape();
  detail::require_shape(s.rank() == 3, op, [&] { return "x must be T × B × H, got " + s.str(); });
  detail::require_shape(static_cast<index_t>(lengths.size()) == s[1], op, [&] {
    return std::to_string(lengths.size()) + " lengths for a batch of " + std::to_string(s[1]) + " (x is " + s.str() +
           ")";
  });
  for (std::size_t b = 0; b < lengths.size(); ++b)
    detail::require_usage(lengths[b] >= 1 && lengths[b] <= s[0], op, [&] {
      return "length " + std::to_string(lengths[b]) + " of sequence " + std::to_string(b) + " is outside [1, " +
             std::to_string(s[0]) + "]";
    });
  return {s[0], s[1], s[2]};
}

// Records op(x, lengths) → (B × H), saving the lengths for the backward rule; kernel(T, B, H, lengths, x, y).
template <class Kernel>
Var time_pool(OpCode op, Var x, std::span<const std::int32_t> lengths, Kernel kernel) {
  const TimeDims d = check_time_pool(op, x, lengths);
  Tape& tape = x.tape();
  Var y = tape.record(op, std::span<const Var>(&x, 1), Shape{d.B, d.H});
  tape.save_ids(y, lengths);
  kernel(d.T, d.B, d.H, lengths.data(), x.value().data, tape.mutable_value(y));
  return y;
}

}  // namespace

// y[b] = (1/L_b) Σ_{t<L_b} x[t, b];   gx[t, b] += gy[b] / L_b  for t < L_b
Var time_mean(Var x, std::span<const std::int32_t> lengths) {
  return time_pool(OpCode::TimeMean, x, lengths, ops::time_mean);
}
void backward_TimeMean(const BackwardContext& c) {
  const Shape& s = c.input_shape(0);
  if (float* gx = c.input_grad(0)) ops::time_mean_backward(s[0], s[1], s[2], c.node().ids, c.grad(), gx);
}

// y[b, h] = max_{t<L_b} x[t, b, h];   gx[t*, b, h] += gy[b, h] at the first maximising t*
Var time_max(Var x, std::span<const std::int32_t> lengths) {
  return time_pool(OpCode::TimeMax, x, lengths, ops::time_max);
}
void backward_TimeMax(const BackwardContext& c) {
  const Shape& s = c.input_shape(0);
  if (float* gx = c.input_grad(0))
    ops::time_max_backward(s[0], s[1], s[2], c.node().ids, c.input_value(0), c.grad(), gx);
}

}  // namespace tapegrad::autograd
