// unroll() and the Recurrent stack.
#include "nn/recurrent.hpp"

#include <string>

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

using autograd::ScopeGuard;
using autograd::Tape;
using autograd::Var;
namespace ag = autograd;

UnrollResult unroll(RecurrentCell& cell, Var xs, const CellState& initial, bool reverse, std::string_view scope) {
  const Shape s = xs.shape();
  if (s.rank() != 3 || s[2] != cell.input_size())
    throw ShapeError("unroll: inputs must be time × batch × " + std::to_string(cell.input_size()) + " for " +
                     cell.describe() + ", got " + s.str());
  if (s[0] == 0) throw ShapeError("unroll: the sequence is empty (" + s.str() + ")");
  Tape& tape = xs.tape();
  const index_t T = s[0];
  const bool projected = cell.form() == CellForm::Fused;
  Var xw;
  if (projected) {
    ScopeGuard layer_scope(tape, scope);
    ScopeGuard projection_scope(tape, "input_projection");
    xw = cell.project_input(xs);  // (T × B × G·H) in one GEMM
  }
  UnrollResult result;
  result.hidden.resize(static_cast<std::size_t>(T));
  CellState state = initial;
  for (index_t k = 0; k < T; ++k) {
    const index_t t = reverse ? T - 1 - k : k;
    ScopeGuard step_scope(tape, "t=" + std::to_string(t));
    ScopeGuard cell_scope(tape, scope);
    state = projected ? cell.step_projected(ag::select(xw, t), state) : cell.step(ag::select(xs, t), state);
    result.hidden[static_cast<std::size_t>(t)] = state.h;
  }
  result.outputs = ag::stack(result.hidden);
  result.final_state = state;
  return result;
}

Recurrent::Recurrent(index_t input, index_t hidden, Rng& rng, RecurrentOptions options)
    : options_(options), dropout_(options.dropout) {
  if (options.layers < 1) throw UsageError("Recurrent: needs at least one layer, got " + std::to_string(options.layers));
  for (index_t l = 0; l < options.layers; ++l)
    for (index_t d = 0; d < directions(); ++d) {
      const index_t in = l == 0 ? input : hidden * directions();
      const std::string name = "layer" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      cells_.push_back(&add_module(name, make_cell(options.type, in, hidden, rng, options.cell)));
    }
  register_module("dropout", dropout_);
}

std::vector<CellState> Recurrent::zero_states(Tape& tape, index_t batch) const {
  std::vector<CellState> states;
  for (const RecurrentCell* c : cells_) states.push_back(c->zero_state(tape, batch));
  return states;
}

void Recurrent::set_form(CellForm form) {
  for (RecurrentCell* c : cells_) c->set_form(form);
}

SequenceOutput Recurrent::forward(Var xs, std::span<const CellState> initial, Rng& rng) {
  const std::size_t n_states = cells_.size();
  if (!initial.empty() && initial.size() != n_states)
    throw UsageError("Recurrent::forward: " + std::to_string(initial.size()) + " initial states given, but " +
                     std::to_string(layers()) + " layer(s) × " + std::to_string(directions()) +
                     " direction(s) need " + std::to_string(n_states) + " (or none for zeros)");
  if (xs.shape().rank() != 3)
    throw ShapeError("Recurrent::forward: inputs must be time × batch × features, got " + xs.shape().str());
  Tape& tape = xs.tape();
  const std::vector<CellState> zeros = initial.empty() ? zero_states(tape, xs.shape()[1]) : std::vector<CellState>{};
  const std::span<const CellState> init = initial.empty() ? std::span<const CellState>(zeros) : initial;

  SequenceOutput out;
  Var layer_input = xs;
  for (index_t l = 0; l < layers(); ++l) {
    std::vector<Var> direction_outputs;
    for (index_t d = 0; d < directions(); ++d) {
      const std::size_t k = static_cast<std::size_t>(l * directions() + d);
      const std::string scope = "layer" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      UnrollResult run = unroll(*cells_[k], layer_input, init[k], d == 1, scope);
      direction_outputs.push_back(run.outputs);
      out.final_states.push_back(run.final_state);
      out.runs.push_back(std::move(run));
    }
    Var layer_output = direction_outputs.size() == 1 ? direction_outputs[0] : ag::concat(direction_outputs);
    if (l + 1 < layers()) {
      ScopeGuard g(tape, "dropout" + std::to_string(l));
      layer_output = dropout_.forward(layer_output, rng);
    }
    layer_input = layer_output;
  }
  out.outputs = layer_input;
  return out;
}

}  // namespace tapegrad::nn
