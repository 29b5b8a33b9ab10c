// Embedding lookup: a row gather forward, a row scatter-add backward.
#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/gather.hpp"

namespace tapegrad::autograd {

// y[i,:] = table[ids[i],:];   gtable[ids[i],:] += gy[i,:]   (only the rows used receive gradient; a repeated id
// receives the sum of its rows' gradients)
Var embedding(Var table, std::span<const std::int32_t> ids) {
  const Shape& s = table.shape();
  detail::require_shape(s.rank() == 2, OpCode::Embedding, [&] { return "table must be vocab × dim, got " + s.str(); });
  for (std::size_t i = 0; i < ids.size(); ++i)
    detail::require_usage(ids[i] >= 0 && ids[i] < s[0], OpCode::Embedding, [&] {
      return "id " + std::to_string(ids[i]) + " at position " + std::to_string(i) + " is outside the table's " +
             std::to_string(s[0]) + " rows";
    });
  Tape& tape = table.tape();
  const auto n = static_cast<index_t>(ids.size());
  Var y = tape.record(OpCode::Embedding, std::span<const Var>(&table, 1), Shape{n, s[1]});
  tape.save_ids(y, ids);
  ops::gather_rows(n, s[1], table.value().data, ids.data(), tape.mutable_value(y));
  return y;
}
void backward_Embedding(const BackwardContext& c) {
  if (float* gtable = c.input_grad(0))
    ops::scatter_add_rows(c.node().n_ids, c.shape().cols(), c.grad(), c.node().ids, gtable);
}

}  // namespace tapegrad::autograd
