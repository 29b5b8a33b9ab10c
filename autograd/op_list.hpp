// The table of tape op codes: one line per op, with its code, its display name and its memory policy — what its
// backward rule reads and what it may share. Everything that must know every op (the backward dispatch, the dump,
// the reverse pass's choice of gradient storage) expands this list, so adding an op is one line here plus its
// definition, and the tape never names an op beyond the leaves it makes itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace tapegrad::autograd {

// The policy columns, each yes or no:
//   view              the value is input 0's value, or a part of it, seen without a copy (select, reshape, detach)
//   reads_output      the backward rule reads the op's own value y (so y must still be intact when the rule runs)
//   reads_inputs      the backward rule reads the values of its inputs
//   overwrites_input  the backward rule may write ∂J/∂x over input 0's value x: it reads each element of x before
//                     writing that element's gradient, and writes (=) instead of adding (+=) when its
//                     BackwardContext says input 0's gradient lives in x's value storage
// The tape applies them in lean mode (the rule is written down at Tape::grad_storage_of, autograd/tape.cpp). In
// builds with asserts, a backward rule that reads a value its line does not declare stops in BackwardContext.
// Leaves come first.
//
// clang-format off
//  code               display name            view  reads_output  reads_inputs  overwrites_input
#define TAPEGRAD_OPS(X)                                                                             \
  X(Constant,          "const",                no,   no,           no,           no)                \
  X(Variable,          "input",                no,   no,           no,           no)                \
  X(Parameter,         "param",                no,   no,           no,           no)                \
  X(Add,               "add",                  no,   no,           no,           no)                \
  X(Sub,               "sub",                  no,   no,           no,           no)                \
  X(Mul,               "mul",                  no,   no,           yes,          no)                \
  X(Div,               "div",                  no,   yes,          yes,          no)                \
  X(Neg,               "neg",                  no,   no,           no,           no)                \
  X(Scale,             "scale",                no,   no,           no,           no)                \
  X(AddScalar,         "add_scalar",           no,   no,           no,           no)                \
  X(Tanh,              "tanh",                 no,   yes,          no,           no)                \
  X(Sigmoid,           "sigmoid",              no,   yes,          no,           no)                \
  X(Relu,              "relu",                 no,   no,           yes,          no)                \
  X(Exp,               "exp",                  no,   yes,          no,           no)                \
  X(Log,               "log",                  no,   no,           yes,          no)                \
  X(AddBias,           "add_bias",             no,   no,           no,           no)                \
  X(MatMul,            "matmul",               no,   no,           yes,          no)                \
  X(Linear,            "linear",               no,   no,           yes,          no)                \
  X(Transpose,         "transpose",            no,   no,           no,           no)                \
  X(Reshape,           "reshape",              yes,  no,           no,           no)                \
  X(Concat,            "concat",               no,   no,           no,           no)                \
  X(Slice,             "slice",                no,   no,           no,           no)                \
  X(Select,            "select",               yes,  no,           no,           no)                \
  X(Stack,             "stack",                no,   no,           no,           no)                \
  X(Embedding,         "embedding",            no,   no,           no,           no)                \
  X(Softmax,           "softmax",              no,   yes,          no,           no)                \
  X(LogSoftmax,        "log_softmax",          no,   yes,          no,           no)                \
  X(CrossEntropy,      "cross_entropy",        no,   no,           yes,          yes)               \
  X(Sum,               "sum",                  no,   no,           no,           no)                \
  X(Mean,              "mean",                 no,   no,           no,           no)                \
  X(RecurrentWeights,  "recurrent_weights",    no,   no,           no,           no)                \
  X(RNNCell,           "rnn_cell",             no,   yes,          yes,          no)                \
  X(LSTMCell,          "lstm_cell",            no,   no,           yes,          no)                \
  X(GRUCell,           "gru_cell",             no,   no,           yes,          no)                \
  X(GRUCellResetAfter, "gru_cell_reset_after", no,   no,           yes,          no)                \
  X(WhereRows,         "where_rows",           no,   no,           no,           no)                \
  X(TimeMean,          "time_mean",            no,   no,           no,           no)                \
  X(TimeMax,           "time_max",             no,   no,           yes,          no)                \
  X(Detach,            "detach",               yes,  no,           no,           no)
// clang-format on

enum class OpCode : std::uint8_t {
#define TAPEGRAD_OP_ENUM(code, ...) code,
  TAPEGRAD_OPS(TAPEGRAD_OP_ENUM)
#undef TAPEGRAD_OP_ENUM
};

// One line's policy columns (see above).
struct OpPolicy {
  bool view;
  bool reads_output;
  bool reads_inputs;
  bool overwrites_input;
};

namespace op_table {
inline constexpr bool yes = true;  // the words of the policy columns
inline constexpr bool no = false;
inline constexpr OpPolicy kPolicies[] = {
#define TAPEGRAD_OP_POLICY(code, name, view, out, in, over) OpPolicy{view, out, in, over},
    TAPEGRAD_OPS(TAPEGRAD_OP_POLICY)
#undef TAPEGRAD_OP_POLICY
};
}  // namespace op_table

constexpr const OpPolicy& op_policy(OpCode op) { return op_table::kPolicies[static_cast<std::size_t>(op)]; }
const char* op_name(OpCode op);
constexpr bool is_leaf(OpCode op) {
  return op == OpCode::Constant || op == OpCode::Variable || op == OpCode::Parameter;
}

// What the table may not say: a view has no storage of its own to overwrite or to be overwritten, and a leaf has no
// backward rule at all.
constexpr bool policies_consistent() {
  for (std::size_t i = 0; i < std::size(op_table::kPolicies); ++i) {
    const auto op = static_cast<OpCode>(i);
    const OpPolicy& p = op_policy(op);
    if (p.view && p.overwrites_input) return false;
    if (is_leaf(op) && (p.view || p.reads_output || p.reads_inputs || p.overwrites_input)) return false;
  }
  return true;
}
static_assert(policies_consistent(), "op_list.hpp: a view that overwrites its input, or a leaf with a policy");

}  // namespace tapegrad::autograd
