// LSTMCell: the composed step — each gate a named scope of visible nodes — and the fused step (one node, whose
// 2 × B × H value holds h_t and c_t, taken out by zero-copy select nodes).
#include "nn/lstm_cell.hpp"

#include "autograd/functions.hpp"

namespace tapegrad::nn {

using autograd::ScopeGuard;
using autograd::Var;
namespace ag = autograd;

namespace {
enum Gate : index_t { kInput = 0, kForget = 1, kCandidate = 2, kOutput = 3 };
}

LSTMCell::LSTMCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options)
    : RecurrentCell(input, hidden, 4, rng, options) {
  float* b = b_->value().data();
  for (index_t j = 0; j < hidden; ++j) b[kForget * hidden + j] = options.forget_bias;
}

std::string LSTMCell::describe() const {
  return "LSTM " + std::to_string(input_size()) + "→" + std::to_string(hidden_size()) +
         (form() == CellForm::Fused ? " fused" : " composed");
}

CellState LSTMCell::composed_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  const index_t H = hidden_size();
  const Var U = W_hh_->var(tape);
  // gate k's pre-activation: x W_k + b_k + h_{t−1} U_k
  const auto pre = [&](index_t k) { return input_gate_term(in, k) + ag::matmul(prev.h, ag::slice(U, k * H, H)); };
  Var i, f, o, candidate, c, h;
  {
    ScopeGuard s(tape, "input_gate");
    i = ag::sigmoid(pre(kInput));
  }
  {
    ScopeGuard s(tape, "forget_gate");
    f = ag::sigmoid(pre(kForget));
  }
  {
    ScopeGuard s(tape, "candidate");
    candidate = ag::tanh(pre(kCandidate));
  }
  {
    ScopeGuard s(tape, "output_gate");
    o = ag::sigmoid(pre(kOutput));
  }
  {
    ScopeGuard s(tape, "cell");
    c = f * prev.c + i * candidate;
  }
  {
    ScopeGuard s(tape, "hidden");
    h = o * ag::tanh(c);
  }
  return {h, c};
}

CellState LSTMCell::fused_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  const Var s = in.xw.is_null() ? ag::lstm_cell(in.x, prev.h, prev.c, W_ih_->var(tape), W_hh_->var(tape), b_->var(tape))
                                : ag::lstm_cell_projected(in.xw, prev.h, prev.c, recurrent_operand(in, tape));
  return {ag::select(s, 0), ag::select(s, 1)};
}

}  // namespace tapegrad::nn
