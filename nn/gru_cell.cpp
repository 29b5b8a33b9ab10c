// GRUCell: composed steps of both variants (gates as named scopes) and their fused nodes.
#include "nn/gru_cell.hpp"

#include <cmath>

#include "autograd/functions.hpp"
#include "nn/init.hpp"

namespace tapegrad::nn {

using autograd::ScopeGuard;
using autograd::Var;
namespace ag = autograd;

namespace {
enum Gate : index_t { kReset = 0, kUpdate = 1, kCandidate = 2 };
}

GRUCell::GRUCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options)
    : RecurrentCell(input, hidden, 3, rng, options) {
  if (options.reset_after) {
    b_hn_ = &add_parameter("b_hn", Shape{hidden});
    const float a = options.init_range > 0 ? options.init_range : 1.0f / std::sqrt(static_cast<float>(hidden));
    init::uniform(b_hn_->value(), -a, a, rng);
  }
}

std::string GRUCell::describe() const {
  return std::string(reset_after() ? "GRU(reset after) " : "GRU ") + std::to_string(input_size()) + "→" +
         std::to_string(hidden_size()) + (form() == CellForm::Fused ? " fused" : " composed");
}

CellState GRUCell::composed_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  const index_t H = hidden_size();
  const Var U = W_hh_->var(tape);
  const Var& h = prev.h;
  const auto recurrent = [&](index_t k, Var state) { return ag::matmul(state, ag::slice(U, k * H, H)); };
  Var r, z, candidate, h_new;
  {
    ScopeGuard s(tape, "reset_gate");
    r = ag::sigmoid(input_gate_term(in, kReset) + recurrent(kReset, h));
  }
  {
    ScopeGuard s(tape, "update_gate");
    z = ag::sigmoid(input_gate_term(in, kUpdate) + recurrent(kUpdate, h));
  }
  {
    ScopeGuard s(tape, "candidate");
    if (reset_after())  // tanh(x W_n + b_n + r ⊙ (h U_n + b_hn))
      candidate =
          ag::tanh(input_gate_term(in, kCandidate) + r * ag::add_bias(recurrent(kCandidate, h), b_hn_->var(tape)));
    else  // tanh(x W_n + b_n + (r ⊙ h) U_n)
      candidate = ag::tanh(input_gate_term(in, kCandidate) + recurrent(kCandidate, r * h));
  }
  {
    ScopeGuard s(tape, "hidden");
    h_new = (1.0f - z) * h + z * candidate;
  }
  return {h_new, Var{}};
}

CellState GRUCell::fused_step(const Input& in, const CellState& prev) {
  ag::Tape& tape = prev.h.tape();
  const Var U = recurrent_operand(in, tape);
  if (reset_after()) {
    const Var b_hn = b_hn_->var(tape);
    return {in.xw.is_null() ? ag::gru_cell_reset_after(in.x, prev.h, W_ih_->var(tape), U, b_->var(tape), b_hn)
                            : ag::gru_cell_reset_after_projected(in.xw, prev.h, U, b_hn),
            Var{}};
  }
  return {in.xw.is_null() ? ag::gru_cell(in.x, prev.h, W_ih_->var(tape), U, b_->var(tape))
                          : ag::gru_cell_projected(in.xw, prev.h, U),
          Var{}};
}

}  // namespace tapegrad::nn
