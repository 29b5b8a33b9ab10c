// Internal helpers shared by the op definitions: argument checks that throw with the op's name and the shapes.
#pragma once

#include <string>

#include "autograd/tape.hpp"
#include "ops/error.hpp"

namespace tapegrad::autograd::detail {

// Throws ShapeError("<op>: <what()>") unless ok. The message is built only on failure (what is a callable), so a
// check costs a comparison on the recording path, never an allocation.
template <class What>
void require_shape(bool ok, OpCode op, What&& what) {
  if (!ok) throw ShapeError(std::string(op_name(op)) + ": " + std::string(what()));
}
template <class What>
void require_usage(bool ok, OpCode op, What&& what) {
  if (!ok) throw UsageError(std::string(op_name(op)) + ": " + std::string(what()));
}

// Records y = op(x) of x's shape and fills its value with kernel(n, x, y).
template <class Kernel>
Var unary(OpCode op, Var x, Kernel kernel, const OpParams& params = {}) {
  Tape& tape = x.tape();
  Var y = tape.record(op, std::span<const Var>(&x, 1), x.shape(), params);
  kernel(x.shape().numel(), x.value().data, tape.mutable_value(y));
  return y;
}

// Records y = op(a, b) for equal shapes and fills its value with kernel(n, a, b, y).
template <class Kernel>
Var binary(OpCode op, Var a, Var b, Kernel kernel) {
  const Var in[2] = {a, b};
  Tape& tape = Tape::common_tape(op_name(op), in);
  require_shape(a.shape() == b.shape(), op,
                [&] { return "shapes differ: a is " + a.shape().str() + ", b is " + b.shape().str(); });
  Var y = tape.record(op, in, a.shape());
  kernel(a.shape().numel(), a.value().data, b.value().data, tape.mutable_value(y));
  return y;
}

}  // namespace tapegrad::autograd::detail
