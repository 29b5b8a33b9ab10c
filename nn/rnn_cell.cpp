// RNNCell: the composed step (three visible nodes: input term, recurrent term, activation) and the fused step.
#include "nn/rnn_cell.hpp"

#include "autograd/functions.hpp"

namespace tapegrad::nn {

using autograd::ScopeGuard;
using autograd::Var;
namespace ag = autograd;

RNNCell::RNNCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options)
    : RecurrentCell(input, hidden, 1, rng, options), relu_(options.relu) {}

std::string RNNCell::describe() const {
  return std::string(relu_ ? "RNN(relu) " : "RNN(tanh) ") + std::to_string(input_size()) + "→" +
         std::to_string(hidden_size()) + (form() == CellForm::Fused ? " fused" : " composed");
}

CellState RNNCell::composed_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  ScopeGuard scope(tape, "hidden");
  const Var a = input_gate_term(in, 0) + ag::matmul(prev.h, W_hh_->var(tape));  // x W_ih + b + h W_hh
  return {relu_ ? ag::relu(a) : ag::tanh(a), Var{}};
}

CellState RNNCell::fused_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  if (!in.xw.is_null()) return {ag::rnn_cell_projected(in.xw, prev.h, recurrent_operand(in, tape), relu_), Var{}};
  return {ag::rnn_cell(in.x, prev.h, W_ih_->var(tape), W_hh_->var(tape), b_->var(tape), relu_), Var{}};
}

}  // namespace tapegrad::nn
