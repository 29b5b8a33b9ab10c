// RecurrentCell: parameter layout and initialisation, step dispatch between the composed and fused forms, states.
#include "nn/cell.hpp"

#include <cmath>

#include "autograd/functions.hpp"
#include "nn/gru_cell.hpp"
#include "nn/init.hpp"
#include "nn/lstm_cell.hpp"
#include "nn/rnn_cell.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

using autograd::Tape;
using autograd::Var;

RecurrentCell::RecurrentCell(index_t input, index_t hidden, index_t gates, Rng& rng, const CellOptions& options)
    : form_(options.form) {
  if (input <= 0 || hidden <= 0)
    throw UsageError("RecurrentCell: sizes must be positive, got input = " + std::to_string(input) +
                     ", hidden = " + std::to_string(hidden));
  const float a = options.init_range > 0 ? options.init_range : 1.0f / std::sqrt(static_cast<float>(hidden));
  W_ih_ = &add_parameter("W_ih", Shape{input, gates * hidden});
  W_hh_ = &add_parameter("W_hh", Shape{hidden, gates * hidden});
  b_ = &add_parameter("b", Shape{gates * hidden});
  init::uniform(W_ih_->value(), -a, a, rng);
  if (options.orthogonal_recurrent)
    init::orthogonal_blocks(W_hh_->value(), hidden, rng);
  else
    init::uniform(W_hh_->value(), -a, a, rng);
  init::uniform(b_->value(), -a, a, rng);
}

void RecurrentCell::check_state(const CellState& prev, Var input) const {
  const index_t batch = input.shape()[0];
  const Shape want{batch, hidden_size()};
  if (prev.h.is_null() || prev.h.shape() != want)
    throw ShapeError(describe() + ": state h is " + (prev.h.is_null() ? std::string("missing") : prev.h.shape().str()) +
                     " but the input " + input.shape().str() + " needs " + want.str());
  if (has_cell_memory() && (prev.c.is_null() || prev.c.shape() != want))
    throw ShapeError(describe() + ": state c is " + (prev.c.is_null() ? std::string("missing") : prev.c.shape().str()) +
                     " but needs " + want.str());
}

CellState RecurrentCell::step(Var x, const CellState& prev) {
  if (x.shape().rank() != 2 || x.shape()[1] != input_size())
    throw ShapeError(describe() + ": input is " + x.shape().str() + " but needs batch × " +
                     std::to_string(input_size()));
  check_state(prev, x);
  const Input in{x, Var{}, Var{}};
  return form_ == CellForm::Fused ? fused_step(in, prev) : composed_step(in, prev);
}

CellState RecurrentCell::step_projected(Var xw, const CellState& prev) { return step_projected(xw, prev, Var{}); }

Var RecurrentCell::recurrent_weights(Tape& tape, index_t rows, index_t steps) {
  return autograd::recurrent_weights(W_hh_->var(tape), rows, autograd::recurrent_chunk_steps(steps, rows));
}

CellState RecurrentCell::step_projected(Var xw, const CellState& prev, Var recurrent) {
  const index_t G = W_hh_->shape()[1];
  if (xw.shape().rank() != 2 || xw.shape()[1] != G)
    throw ShapeError(describe() + ": projected input is " + xw.shape().str() + " but needs batch × " +
                     std::to_string(G));
  check_state(prev, xw);
  const Input in{Var{}, xw, recurrent};
  return form_ == CellForm::Fused ? fused_step(in, prev) : composed_step(in, prev);
}

Var RecurrentCell::project_input(Var x) {
  if (x.shape().cols() != input_size())
    throw ShapeError(describe() + ": input is " + x.shape().str() + " but its last dimension must be " +
                     std::to_string(input_size()));
  Tape& tape = x.tape();
  return autograd::linear(x, W_ih_->var(tape), b_->var(tape));
}

Var RecurrentCell::input_gate_term(const Input& in, index_t k) {
  const index_t H = hidden_size();
  if (!in.xw.is_null()) return autograd::slice(in.xw, k * H, H);
  Tape& tape = in.x.tape();
  return autograd::add_bias(autograd::matmul(in.x, autograd::slice(W_ih_->var(tape), k * H, H)),
                            autograd::slice(b_->var(tape), k * H, H));
}

CellState RecurrentCell::zero_state(Tape& tape, index_t batch) const {
  const Shape s{batch, hidden_size()};
  CellState state{tape.full(s, 0.0f), Var{}};
  if (has_cell_memory()) state.c = tape.full(s, 0.0f);
  return state;
}

// ---- states across tape rounds ----------------------------------------------------------------------------------

CellStateValue to_value(const CellState& state) {
  CellStateValue v;
  v.h = state.h.to_tensor();
  if (!state.c.is_null()) v.c = state.c.to_tensor();
  return v;
}

CellState to_state(Tape& tape, const CellStateValue& value) {
  CellState s{tape.constant(value.h), Var{}};
  if (value.c.numel() > 0) s.c = tape.constant(value.c);
  return s;
}

CellState detach(const CellState& state) {
  CellState s{autograd::detach(state.h), Var{}};
  if (!state.c.is_null()) s.c = autograd::detach(state.c);
  return s;
}

// ---- factory ------------------------------------------------------------------------------------------------------

std::unique_ptr<RecurrentCell> make_cell(CellType type, index_t input, index_t hidden, Rng& rng,
                                         const CellOptions& options) {
  switch (type) {
    case CellType::RNN:
      return std::make_unique<RNNCell>(input, hidden, rng, options);
    case CellType::LSTM:
      return std::make_unique<LSTMCell>(input, hidden, rng, options);
    case CellType::GRU:
      return std::make_unique<GRUCell>(input, hidden, rng, options);
  }
  throw UsageError("make_cell: unknown cell type");
}

const char* cell_type_name(CellType type) {
  switch (type) {
    case CellType::RNN:
      return "rnn";
    case CellType::LSTM:
      return "lstm";
    case CellType::GRU:
      return "gru";
  }
  return "?";
}

CellType parse_cell_type(const std::string& name) {
  if (name == "rnn") return CellType::RNN;
  if (name == "lstm") return CellType::LSTM;
  if (name == "gru") return CellType::GRU;
  throw UsageError("unknown recurrent cell type '" + name + "' (expected rnn, lstm or gru)");
}

const char* cell_form_name(CellForm form) { return form == CellForm::Fused ? "fused" : "composed"; }

CellForm parse_cell_form(const std::string& name) {
  if (name == "fused") return CellForm::Fused;
  if (name == "composed") return CellForm::Composed;
  throw UsageError("unknown cell form '" + name + "' (expected fused or composed)");
}

}  // namespace tapegrad::nn
