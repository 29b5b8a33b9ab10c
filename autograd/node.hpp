// One record of the tape (a row of the Wengert list): which op made the value, from which earlier records, with
// which small parameters, where its value (and, after backward, its gradient) lives, and in which named scope.
#pragma once

#include <cstdint>

#include "autograd/op_list.hpp"
#include "ops/shape.hpp"

namespace tapegrad::autograd {

// Small per-op parameters, kept on the node so the tape can be printed and drawn without closures.
struct OpParams {
  float scalar = 0.0f;       // scale: α; add_scalar: c
  index_t begin = 0;         // slice: first column; select: index
  index_t width = 0;         // slice: number of columns
  bool transpose_a = false;  // matmul: use Aᵀ
  bool transpose_b = false;  // matmul: use Bᵀ
  bool projected = false;    // fused cells: input 0 is the projected input x·W_ih + b, computed outside the cell
  bool relu = false;         // rnn_cell: relu instead of tanh
};

// Where a node's gradient lives after the latest backward (decided by Tape::grad_storage_of, where the rule is
// written down; Source and Value only when Tape::set_lean(true)).
enum class GradStorage : std::uint8_t {
  None,       // no gradient: the node is not on a path from a gradient-requiring leaf to the output
  Own,        // a buffer of the tape's gradient arena, zeroed before the reverse loop; rules add into it
  Parameter,  // the parameter's own gradient buffer (Node::param_grad); rules add into it across backward calls
  Source,     // lean, a view: the matching part of its source's gradient (the view's own rule is skipped)
  Value,      // lean: the node's own value storage; its single consumer writes ∂J/∂y over y instead of adding
};

struct Node {
  OpCode op = OpCode::Constant;
  bool requires_grad = false;  // a parameter or variable feeds this value and grad mode was on when it was recorded
  bool retain_grad = false;    // the user asked to read this gradient after backward
  GradStorage grad_storage = GradStorage::None;  // where grad points (set by backward)
  std::uint32_t scope = 0;                       // index of the scope path ("" = top level)
  std::uint32_t first_input = 0;                 // inputs are tape.inputs()[first_input, first_input + n_inputs)
  std::uint32_t n_inputs = 0;
  std::uint32_t name = 0;  // parameters: index of the parameter's name
  Shape shape;
  float* value = nullptr;       // tape arena, the parameter's own storage, or (views) a part of input 0's value
  float* grad = nullptr;        // ∂J/∂value from the latest backward (grad_storage says where it lives), else null
  float* param_grad = nullptr;  // parameters only: the owner's gradient buffer, which backward adds into
  float* saved = nullptr;       // floats an op keeps for its backward rule (cross_entropy: per-row log-sum-exp)
  const std::int32_t* ids = nullptr;  // embedding ids / cross_entropy targets, copied into the tape
  index_t n_ids = 0;
  std::int32_t* counters = nullptr;  // bookkeeping an op updates while its consumers' rules run (recurrent_weights)
  OpParams params;
};

}  // namespace tapegrad::autograd
