// The table of tape op codes: one line per op, its code and its display name. Everything that must know every op
// (the backward dispatch, the dump) expands this list, so adding an op is one line here plus its definition.
#pragma once

#include <cstdint>

namespace tapegrad::autograd {

// X(code, display name). Leaves first.
#define TAPEGRAD_OPS(X)                        \
  X(Constant, "const")                         \
  X(Variable, "input")                         \
  X(Parameter, "param")                        \
  X(Add, "add")                                \
  X(Sub, "sub")                                \
  X(Mul, "mul")                                \
  X(Div, "div")                                \
  X(Neg, "neg")                                \
  X(Scale, "scale")                            \
  X(AddScalar, "add_scalar")                   \
  X(Tanh, "tanh")                              \
  X(Sigmoid, "sigmoid")                        \
  X(Relu, "relu")                              \
  X(Exp, "exp")                                \
  X(Log, "log")                                \
  X(AddBias, "add_bias")                       \
  X(MatMul, "matmul")                          \
  X(Linear, "linear")                          \
  X(Transpose, "transpose")                    \
  X(Reshape, "reshape")                        \
  X(Concat, "concat")                          \
  X(Slice, "slice")                            \
  X(Select, "select")                          \
  X(Stack, "stack")                            \
  X(Embedding, "embedding")                    \
  X(Softmax, "softmax")                        \
  X(LogSoftmax, "log_softmax")                 \
  X(CrossEntropy, "cross_entropy")             \
  X(Sum, "sum")                                \
  X(Mean, "mean")                              \
  X(RNNCell, "rnn_cell")                       \
  X(LSTMCell, "lstm_cell")                     \
  X(GRUCell, "gru_cell")                       \
  X(GRUCellResetAfter, "gru_cell_reset_after") \
  X(Detach, "detach")

enum class OpCode : std::uint8_t {
#define TAPEGRAD_OP_ENUM(code, name) code,
  TAPEGRAD_OPS(TAPEGRAD_OP_ENUM)
#undef TAPEGRAD_OP_ENUM
};

const char* op_name(OpCode op);
inline bool is_leaf(OpCode op) { return op == OpCode::Constant || op == OpCode::Variable || op == OpCode::Parameter; }

}  // namespace tapegrad::autograd
