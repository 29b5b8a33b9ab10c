// RecurrentCell: the one interface of the RNN, LSTM and GRU cells — one time step from an input and a state.
//
// Every cell exists in two forms over the same parameters, switchable at any time:
//   Composed — built from tape primitives, every gate its own named node in its own scope ("input_gate",
//              "forget_gate", "candidate", "cell", …): the form to read, dump and draw.
//   Fused    — one tape node per step (autograd/ops_recurrent.cpp): the gate products of all gates as one GEMM per
//              operand, the gate math in one SIMD pass, a hand-written backward: the form to train.
// Both compute the same function (tests/nn check outputs and gradients against each other).
//
// Parameters, stored in × out (gate blocks of H columns side by side, in the cell's documented order):
//   W_ih (I × G·H), W_hh (H × G·H), b (G·H)   — and, for the GRU with the reset after the product, b_hn (H).
#pragma once

#include <memory>
#include <string>

#include "autograd/tape.hpp"
#include "nn/module.hpp"
#include "ops/random.hpp"

namespace tapegrad::nn {

enum class CellForm { Composed, Fused };
enum class CellType { RNN, LSTM, GRU };

// The state carried from one step to the next: h (B × H), and for the LSTM the cell memory c (B × H).
struct CellState {
  autograd::Var h;
  autograd::Var c;  // null (is_null()) except for the LSTM
};

// A state's values outside any tape — what truncated BPTT carries from one window (tape round) to the next.
struct CellStateValue {
  Tensor h;
  Tensor c;  // empty (0 elements) except for the LSTM
};
CellStateValue to_value(const CellState& state);                        // copies the values out
CellState to_state(autograd::Tape& tape, const CellStateValue& value);  // constants on the tape (no gradient)
CellState detach(const CellState& state);                               // same tape, gradient stopped

struct CellOptions {
  CellForm form = CellForm::Fused;
  // Every weight and bias drawn from U(−a, a); a = 0 means a = 1/√H (PyTorch's default for its RNN modules).
  float init_range = 0.0f;
  // W_hh orthogonal per gate block (Saxe et al. 2014) instead of uniform.
  bool orthogonal_recurrent = false;
  // LSTM only: the initial forget-gate bias (Jozefowicz et al. 2015 recommend 1: remember by default).
  float forget_bias = 0.0f;
  // RNN only: relu instead of tanh.
  bool relu = false;
  // GRU only: the reset gate applied after the recurrent product (cuDNN / PyTorch) instead of before it (Cho et al.
  // 2014's original GRU, the default).
  bool reset_after = false;
};

class RecurrentCell : public Module {
 public:
  index_t input_size() const { return W_ih_->shape()[0]; }
  index_t hidden_size() const { return W_hh_->shape()[0]; }
  index_t gate_count() const { return W_hh_->shape()[1] / W_hh_->shape()[0]; }
  CellForm form() const { return form_; }
  void set_form(CellForm form) { form_ = form; }
  virtual CellType type() const = 0;
  virtual std::string describe() const = 0;  // "LSTM 16→32 fused"
  bool has_cell_memory() const { return type() == CellType::LSTM; }

  // One step: x (B × I) and the previous state → the new state.
  CellState step(autograd::Var x, const CellState& prev);
  // The same with the input side computed beforehand: xw = x·W_ih + b (B × G·H), e.g. one row block of
  // project_input() over a whole sequence.
  CellState step_projected(autograd::Var xw, const CellState& prev);
  // The same in a run of steps that share `recurrent`, made by recurrent_weights() for the run: the fused form
  // then leaves its share of ∂J/∂W_hh to one product per chunk of steps (autograd::recurrent_weights). The composed
  // form reads W_hh as usual.
  CellState step_projected(autograd::Var xw, const CellState& prev, autograd::Var recurrent);
  // W_hh as the recurrent weights of a run of `steps` fused steps of `rows` rows on `tape` (autograd::
  // recurrent_weights, with the chunk of autograd::recurrent_chunk_steps).
  autograd::Var recurrent_weights(autograd::Tape& tape, index_t rows, index_t steps);
  // x·W_ih + b for any number of rows at once: x (… × I) → (… × G·H). One GEMM for a whole sequence.
  autograd::Var project_input(autograd::Var x);
  // h = 0 (and c = 0) for a batch of B.
  CellState zero_state(autograd::Tape& tape, index_t batch) const;

  Parameter& W_ih() { return *W_ih_; }
  Parameter& W_hh() { return *W_hh_; }
  Parameter& b() { return *b_; }

 protected:
  // Registers W_ih, W_hh, b for G gates and initialises them (see CellOptions).
  RecurrentCell(index_t input, index_t hidden, index_t gates, Rng& rng, const CellOptions& options);

  // The input side of a step: either x with the weights, or the projected xw (then x is null).
  struct Input {
    autograd::Var x;          // B × I, or null
    autograd::Var xw;         // B × G·H, or null
    autograd::Var recurrent;  // the run's recurrent_weights(W_hh), or null: W_hh itself
  };
  // The recurrent weights a fused step multiplies h by: the run's, or W_hh's own.
  autograd::Var recurrent_operand(const Input& in, autograd::Tape& tape) const {
    return in.recurrent.is_null() ? W_hh_->var(tape) : in.recurrent;
  }
  // The pre-activation of gate block k from the input side: x·W_ih[:, k] + b[k], or xw[:, k].
  autograd::Var input_gate_term(const Input& in, index_t k);
  virtual CellState composed_step(const Input& in, const CellState& prev) = 0;
  virtual CellState fused_step(const Input& in, const CellState& prev) = 0;
  void check_state(const CellState& prev, autograd::Var input) const;

  Parameter* W_ih_;
  Parameter* W_hh_;
  Parameter* b_;
  CellForm form_;
};

// A cell of the given type (options select the variant).
std::unique_ptr<RecurrentCell> make_cell(CellType type, index_t input, index_t hidden, Rng& rng,
                                         const CellOptions& options = {});
const char* cell_type_name(CellType type);          // "rnn", "lstm", "gru"
CellType parse_cell_type(const std::string& name);  // the inverse; throws UsageError for anything else
const char* cell_form_name(CellForm form);          // "composed", "fused"
CellForm parse_cell_form(const std::string& name);  // the inverse; throws UsageError for anything else

}  // namespace tapegrad::nn
