// unroll() and the Recurrent stack.
#include "nn/recurrent.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

using autograd::ScopeGuard;
using autograd::Tape;
using autograd::Var;
namespace ag = autograd;

namespace {

// Throws unless lengths is empty or holds one length in [1, T] per sequence of the batch.
void check_lengths(std::span<const std::int32_t> lengths, const Shape& s) {
  if (lengths.empty()) return;
  if (static_cast<index_t>(lengths.size()) != s[1])
    throw ShapeError("unroll: " + std::to_string(lengths.size()) + " sequence lengths for a batch of " +
                     std::to_string(s[1]) + " (inputs " + s.str() + ")");
  for (std::size_t b = 0; b < lengths.size(); ++b)
    if (lengths[b] < 1 || lengths[b] > s[0])
      throw UsageError("unroll: sequence " + std::to_string(b) + " has length " + std::to_string(lengths[b]) +
                       ", outside [1, " + std::to_string(s[0]) + "] (inputs " + s.str() + ")");
}

// mask[b] = (t < lengths[b]); returns whether any sequence is padded at step t.
bool step_mask(std::span<const std::int32_t> lengths, index_t t, std::vector<std::int32_t>& mask) {
  if (lengths.empty()) return false;
  mask.resize(lengths.size());
  bool padded = false;
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    mask[b] = t < lengths[b] ? 1 : 0;
    padded |= mask[b] == 0;
  }
  return padded;
}

}  // namespace

void unroll(RecurrentCell& cell, Var xs, const CellState& initial, UnrollResult& result, bool reverse,
            std::string_view scope, std::span<const std::int32_t> lengths) {
  const Shape s = xs.shape();
  if (s.rank() != 3 || s[2] != cell.input_size())
    throw ShapeError("unroll: inputs must be time × batch × " + std::to_string(cell.input_size()) + " for " +
                     cell.describe() + ", got " + s.str());
  if (s[0] == 0) throw ShapeError("unroll: the sequence is empty (" + s.str() + ")");
  check_lengths(lengths, s);
  Tape& tape = xs.tape();
  const index_t T = s[0];
  const bool projected = cell.form() == CellForm::Fused;
  Var xw, recurrent;
  if (projected) {
    ScopeGuard layer_scope(tape, scope);
    {
      ScopeGuard projection_scope(tape, "input_projection");
      xw = cell.project_input(xs);  // (T × B × G·H) in one GEMM
    }
    // W_hh's gradient summed over chunks of steps, not step by step (autograd::recurrent_weights)
    static const bool tg_off = std::getenv("TG_NO_RW") != nullptr;
    if (tape.grad_enabled() && !tg_off) recurrent = cell.recurrent_weights(tape, s[1], T);
  }
  result.hidden.resize(static_cast<std::size_t>(T));
  CellState state = initial;
  for (index_t k = 0; k < T; ++k) {
    const index_t t = reverse ? T - 1 - k : k;
    char step_name[24];  // "t=<t>" without a heap string
    std::snprintf(step_name, sizeof step_name, "t=%lld", static_cast<long long>(t));
    ScopeGuard step_scope(tape, step_name);
    ScopeGuard cell_scope(tape, scope);
    CellState next = projected ? cell.step_projected(ag::select(xw, t), state, recurrent)
                               : cell.step(ag::select(xs, t), state);
    if (step_mask(lengths, t, result.mask)) {  // padded rows keep the state they had
      ScopeGuard mask_scope(tape, "mask");
      next.h = ag::where_rows(result.mask, next.h, state.h);
      if (!next.c.is_null()) next.c = ag::where_rows(result.mask, next.c, state.c);
    }
    state = next;
    result.hidden[static_cast<std::size_t>(t)] = state.h;
  }
  result.outputs = ag::stack(result.hidden);
  result.final_state = state;
}

Recurrent::Recurrent(index_t input, index_t hidden, Rng& rng, RecurrentOptions options)
    : options_(options), dropout_(options.dropout) {
  if (options.layers < 1)
    throw UsageError("Recurrent: needs at least one layer, got " + std::to_string(options.layers));
  for (index_t l = 0; l < options.layers; ++l)
    for (index_t d = 0; d < directions(); ++d) {
      const index_t in = l == 0 ? input : hidden * directions();
      const std::string name = "layer" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      cells_.push_back(&add_module(name, make_cell(options.type, in, hidden, rng, options.cell)));
    }
  register_module("dropout", dropout_);
}

void Recurrent::set_form(CellForm form) {
  for (RecurrentCell* c : cells_) c->set_form(form);
}

const SequenceOutput& Recurrent::forward(Var xs, std::span<const CellState> initial, Rng& rng,
                                         std::span<const std::int32_t> lengths) {
  const std::size_t n_states = cells_.size();
  if (!initial.empty() && initial.size() != n_states)
    throw UsageError("Recurrent::forward: " + std::to_string(initial.size()) + " initial states given, but " +
                     std::to_string(layers()) + " layer(s) × " + std::to_string(directions()) + " direction(s) need " +
                     std::to_string(n_states) + " (or none for zeros)");
  if (xs.shape().rank() != 3)
    throw ShapeError("Recurrent::forward: inputs must be time × batch × features, got " + xs.shape().str());
  Tape& tape = xs.tape();
  if (initial.empty()) {
    zeros_.clear();
    for (const RecurrentCell* c : cells_) zeros_.push_back(c->zero_state(tape, xs.shape()[1]));
    initial = zeros_;
  }
  out_.final_states.resize(n_states);
  out_.runs.resize(n_states);
  Var layer_input = xs;
  for (index_t l = 0; l < layers(); ++l) {
    directions_.clear();
    for (index_t d = 0; d < directions(); ++d) {
      const std::size_t k = static_cast<std::size_t>(l * directions() + d);
      char scope[40];
      std::snprintf(scope, sizeof scope, "layer%lld%s", static_cast<long long>(l), d == 1 ? "_reverse" : "");
      unroll(*cells_[k], layer_input, initial[k], out_.runs[k], d == 1, scope, lengths);
      directions_.push_back(out_.runs[k].outputs);
      out_.final_states[k] = out_.runs[k].final_state;
    }
    Var layer_output = directions_.size() == 1 ? directions_[0] : ag::concat(directions_);
    if (l + 1 < layers()) {
      char scope[32];
      std::snprintf(scope, sizeof scope, "dropout%lld", static_cast<long long>(l));
      ScopeGuard g(tape, scope);
      layer_output = dropout_.forward(layer_output, rng);
    }
    layer_input = layer_output;
  }
  out_.outputs = layer_input;
  return out_;
}

}  // namespace tapegrad::nn
