// Running recurrent cells over sequences: unroll() for one cell, and Recurrent — a stack of layers, optionally
// bidirectional, with dropout between layers — for whole models. This is where backpropagation through time comes
// from: unrolling records every step on the tape, reusing each layer's weights at every step, and the tape's reverse
// pass then sums each weight's gradient over the steps by itself (docs/autograd.md).
//
// Sequences are time-major: xs is (T × B × I), step t is select(xs, t) (a view, no copy), outputs are (T × B × H).
//
// Sequences of different lengths share a batch padded to the longest: give `lengths` (B, each in [1, T]) and step t
// of sequence b is real only when t < lengths[b]. A padded step changes no state — the new state is chosen row by
// row with where_rows(mask, new, previous) — so it contributes no gradient either, the forward direction's final
// state is each sequence's state after its own last token, and the reverse direction starts at each sequence's own
// last token from the initial state. At a padded step the output repeats the state carried (callers mask it out).
// Steps where every sequence is real record no mask at all.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "nn/cell.hpp"
#include "nn/dropout.hpp"

namespace tapegrad::nn {

struct UnrollResult {
  autograd::Var outputs;              // T × B × H: h_t for every t (indexed by t, also when run in reverse)
  CellState final_state;              // the state after the last step run (t = T−1, or t = 0 in reverse)
  std::vector<autograd::Var> hidden;  // h_t per t (B × H each): read ∂J/∂h_t with tape.retain_grad (gradient flow)
  std::vector<std::int32_t> mask;     // scratch: one step's real rows (kept for its capacity)
};

// Runs `cell` over xs (T × B × I) from `initial`, steps t = 0 … T−1 (or T−1 … 0 when reverse). Step t records
// under the scope "t=<t>" followed by `scope` (e.g. "t=3/layer0"). The fused form computes the input side of all
// steps as one GEMM before the loop (scope "<scope>/input_projection") and, when recording for a gradient, reads
// W_hh through one recurrent_weights node (scope "<scope>"), which sums W_hh's gradient over chunks of steps in a
// few large products instead of one per step; the composed form computes everything per step and gate, so that
// every gate of every step is visible.
// `result` is filled in place, reusing its storage (a training loop that unrolls every step allocates nothing).
// `lengths` (empty: every sequence has T steps) as described above.
void unroll(RecurrentCell& cell, autograd::Var xs, const CellState& initial, UnrollResult& result, bool reverse = false,
            std::string_view scope = {}, std::span<const std::int32_t> lengths = {});
inline UnrollResult unroll(RecurrentCell& cell, autograd::Var xs, const CellState& initial, bool reverse = false,
                           std::string_view scope = {}, std::span<const std::int32_t> lengths = {}) {
  UnrollResult result;
  unroll(cell, xs, initial, result, reverse, scope, lengths);
  return result;
}

struct RecurrentOptions {
  CellType type = CellType::LSTM;
  index_t layers = 1;
  float dropout = 0.0f;        // on the outputs of every layer but the last, in training mode (as in PyTorch)
  bool bidirectional = false;  // a second cell per layer reads the sequence backwards; outputs are concatenated
  CellOptions cell;
};

struct SequenceOutput {
  autograd::Var outputs;                // T × B × (H · directions): the last layer's outputs
  std::vector<CellState> final_states;  // per layer and direction, index layer · directions + direction
  std::vector<UnrollResult> runs;       // per layer and direction, the same index: every step's hidden state
};

class Recurrent : public Module {
 public:
  // Layer 0 reads inputs of size `input`; layer l > 0 reads layer l−1's outputs (H · directions). Cells are named
  // "layer<l>" and, for the backward direction, "layer<l>_reverse".
  Recurrent(index_t input, index_t hidden, Rng& rng, RecurrentOptions options = {});

  // xs (T × B × I) from `initial` (one state per layer and direction, or empty for zeros) → outputs and final
  // states. Dropout masks come from rng. `lengths` (empty, or B lengths in [1, T]) makes a padded batch: see unroll.
  // The result lives in this module and stays valid until the next call (its storage is reused, so repeated calls
  // allocate nothing).
  const SequenceOutput& forward(autograd::Var xs, std::span<const CellState> initial, Rng& rng,
                                std::span<const std::int32_t> lengths = {});

  index_t input_size() const { return cells_.front()->input_size(); }
  index_t hidden_size() const { return cells_.front()->hidden_size(); }
  index_t layers() const { return options_.layers; }
  index_t directions() const { return options_.bidirectional ? 2 : 1; }
  index_t output_size() const { return hidden_size() * directions(); }
  const RecurrentOptions& options() const { return options_; }
  RecurrentCell& cell(index_t layer, index_t direction = 0) { return *cells_[layer * directions() + direction]; }
  void set_form(CellForm form);

 private:
  RecurrentOptions options_;
  std::vector<RecurrentCell*> cells_;  // owned as child modules
  Dropout dropout_;
  SequenceOutput out_;                     // the last forward's result
  std::vector<CellState> zeros_;           // scratch: zero initial states
  std::vector<autograd::Var> directions_;  // scratch: one layer's outputs per direction
};

}  // namespace tapegrad::nn
