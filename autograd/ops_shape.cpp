// Shape ops: reshape, concat / split / slice along the last dimension, select / stack along the first, detach.
#include <numeric>
#include <vector>

#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/elementwise.hpp"
#include "ops/layout.hpp"

namespace tapegrad::autograd {

using detail::require_shape;

// y = x seen with another shape (the value is shared, not copied);   gx += gy
Var reshape(Var x, const Shape& shape) {
  require_shape(shape.numel() == x.shape().numel(), OpCode::Reshape, [&] {
    return "cannot view " + x.shape().str() + " (" + std::to_string(x.shape().numel()) + " elements) as " +
           shape.str() + " (" + std::to_string(shape.numel()) + " elements)";
  });
  return x.tape().record_alias(OpCode::Reshape, x, shape);
}
void backward_Reshape(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), gx);
}

// y = [x₀, x₁, …] side by side along the last dimension;   gxₚ += gy[…, offsetₚ : offsetₚ + widthₚ]
Var concat(std::span<const Var> parts) {
  Tape& tape = Tape::common_tape("concat", parts);
  const Shape& first = parts[0].shape();
  index_t total = 0;
  std::vector<const float*> pointers;
  std::vector<index_t> widths;
  for (const Var& p : parts) {
    const Shape& s = p.shape();
    require_shape(
        s.rank() >= 1 && s.rank() == first.rank() && s.rows() == first.rows() && s.with_cols(0) == first.with_cols(0),
        OpCode::Concat, [&] { return "leading dimensions differ: " + first.str() + " and " + s.str(); });
    total += s.cols();
    pointers.push_back(p.value().data);
    widths.push_back(s.cols());
  }
  Var y = tape.record(OpCode::Concat, parts, first.with_cols(total));
  ops::concat_cols(first.rows(), pointers, widths, tape.mutable_value(y));
  return y;
}
void backward_Concat(const BackwardContext& c) {
  const index_t rows = c.shape().rows(), cols = c.shape().cols();
  index_t offset = 0;
  for (std::size_t k = 0; k < c.n_inputs(); ++k) {
    const index_t width = c.input_shape(k).cols();
    if (float* gx = c.input_grad(k)) ops::add_block_acc(rows, width, c.grad() + offset, cols, gx, width);
    offset += width;
  }
}

// y = x[…, begin : begin + width];   gx[…, begin : begin + width] += gy
Var slice(Var x, index_t begin, index_t width) {
  const Shape& s = x.shape();
  require_shape(s.rank() >= 1 && begin >= 0 && width >= 0 && begin + width <= s.cols(), OpCode::Slice, [&] {
    return "columns " + std::to_string(begin) + ":" + std::to_string(begin + width) + " are outside " + s.str();
  });
  Tape& tape = x.tape();
  OpParams p;
  p.begin = begin;
  p.width = width;
  Var y = tape.record(OpCode::Slice, std::span<const Var>(&x, 1), s.with_cols(width), p);
  ops::slice_cols(s.rows(), s.cols(), begin, width, x.value().data, tape.mutable_value(y));
  return y;
}
void backward_Slice(const BackwardContext& c) {
  if (float* gx = c.input_grad(0))
    ops::slice_cols_backward_acc(c.shape().rows(), c.input_shape(0).cols(), c.params().begin, c.params().width,
                                 c.grad(), gx);
}

std::vector<Var> split(Var x, std::span<const index_t> widths) {
  const index_t total = std::accumulate(widths.begin(), widths.end(), index_t{0});
  require_shape(x.shape().rank() >= 1 && total == x.shape().cols(), OpCode::Slice, [&] {
    return "split widths sum to " + std::to_string(total) + " but " + x.shape().str() + " has " +
           std::to_string(x.shape().cols()) + " columns";
  });
  std::vector<Var> parts;
  index_t begin = 0;
  for (index_t w : widths) {
    parts.push_back(slice(x, begin, w));
    begin += w;
  }
  return parts;
}

// y = x[index] along the first dimension: x (n × …) → y (…), a view of x's value (no copy);
// gx[index] += gy
Var select(Var x, index_t index) {
  const Shape& s = x.shape();
  require_shape(s.rank() >= 1 && index >= 0 && index < s[0], OpCode::Select,
                [&] { return "index " + std::to_string(index) + " is outside the first dimension of " + s.str(); });
  const Shape item = s.without_front();
  OpParams p;
  p.begin = index;
  return x.tape().record_alias(OpCode::Select, x, item, index * item.numel(), p);
}
void backward_Select(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), gx + c.params().begin * c.numel());
}

// y = [x₀; x₁; …] along a new first dimension: parts (all of shape S) → y (n × S);   gxₚ += gy[p]
Var stack(std::span<const Var> parts) {
  Tape& tape = Tape::common_tape("stack", parts);
  const Shape item = parts[0].shape();
  for (const Var& p : parts)
    require_shape(p.shape() == item, OpCode::Stack,
                  [&] { return "parts differ in shape: " + item.str() + " and " + p.shape().str(); });
  require_shape(item.rank() < Shape::kMaxRank, OpCode::Stack,
                [&] { return "parts of shape " + item.str() + " are already rank 4"; });
  Var y = tape.record(OpCode::Stack, parts, item.with_front(static_cast<index_t>(parts.size())));
  float* out = tape.mutable_value(y);
  for (const Var& p : parts) {
    ops::copy_block(1, item.numel(), p.value().data, item.numel(), out, item.numel());
    out += item.numel();
  }
  return y;
}
void backward_Stack(const BackwardContext& c) {
  const index_t n = c.numel() / static_cast<index_t>(c.n_inputs());
  for (std::size_t k = 0; k < c.n_inputs(); ++k)
    if (float* gx = c.input_grad(k)) ops::axpy(n, 1.0f, c.grad() + static_cast<index_t>(k) * n, gx);
}

// y = x, but no gradient flows back through y: recorded as if in no-grad mode, so it never requires one.
Var detach(Var x) {
  Tape& tape = x.tape();
  NoGradGuard no_grad(tape);
  return tape.record_alias(OpCode::Detach, x, x.shape());
}
void backward_Detach(const BackwardContext&) {}

}  // namespace tapegrad::autograd
