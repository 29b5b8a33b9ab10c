// Graphviz DOT export of a tape: the diagram twin of the text dump (Tape::dump). One record per tape entry, labelled
// with the same words as the dump (Tape::label) — `v7 = tanh(v5) | 20×200` — coloured by role, with a legend.
//
//   Level::Op      every node of the tape is drawn; an edge per input, labelled by its argument position when the
//                  op has several inputs.
//   Level::Module  every named scope at depth `collapse_depth` (e.g. "t=3/layer0", one recurrent cell at one time
//                  step) is collapsed into one box; edges between boxes are deduplicated; nodes in shallower scopes
//                  (parameters, inputs, the loss) stay as they are.
//
// A scope component "t=<k>" marks a time step: everything recorded under it is drawn inside one cluster subgraph
// (`cluster_step_<n>`, labelled "t=<k>"), the steps laid out left to right, so a weight shared by every step (a
// parameter leaf, recorded at the top level) is seen feeding each of them. To keep the steps in order, the export adds
// invisible edges (style=invis) from the deepest node of step t to the nodes of step t+1 that read only from outside
// their step; they carry no data. An edge from a later step to an earlier one (a recurrence run backwards, as in the
// reverse direction of a bidirectional layer) is drawn with constraint=false, so it does not turn the order round.
// After backward, the gradient flow can be drawn too (dashed edges with dir=back, laid out alongside the forward edge
// they reverse), or the nodes coloured by log ‖∂J/∂v‖ (heat).
//
// Other nested scopes ("lstm", "forget_gate") are drawn as light dashed clusters (`cluster_scope_<n>`) unless
// scope_clusters is off, in which case each record shows its scope path instead. With reverse_row_suffix, the two
// directions of a bidirectional layer are two rows (`cluster_row_<n>`, both in a `cluster_pair_<n>`). The legend is one
// node named kDotLegendNode. Node ids are "v<index>" for tape nodes and "m<n>" for collapsed boxes.
//
// The output depends only on the tape's contents: iteration follows tape order, ids are tape indices or ordinals of
// first appearance, no pointer or hash order reaches the text. The same tape gives the same text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

enum class DotLevel { Op, Module };

struct DotOptions {
  DotLevel level = DotLevel::Op;
  // Module level: scopes are collapsed at this many path components ("t=0/layer0" is 2). Must be ≥ 1.
  int collapse_depth = 2;
  // Add a dashed reverse edge (consumer → input) for every input slot whose two ends received a gradient in the
  // latest backward: the path ∂J/∂v travels.
  bool show_grad_flow = false;
  // Add value statistics (mean, max |x|) and, after backward, ‖grad‖₂ to each record.
  bool stats = false;
  // Fill each node by log₁₀ ‖∂J/∂v‖ on a 9-class yellow-to-red scale spanning the graph's smallest to largest
  // non-zero norm (pale blue: exactly zero; white: no gradient) instead of by role. A box's norm is that of the
  // values leaving it. Needs a backward pass first.
  bool heat = false;
  // Refuse to draw more nodes than this (not counting the legend): the picture would be unreadable. The error
  // suggests the module level.
  std::size_t max_nodes = 400;
  // Nested scopes below a time step ("forget_gate", "cell", …) as light clusters of their own. When off, each record
  // shows its scope path instead.
  bool scope_clusters = true;
  // Drawn above the graph when not empty.
  std::string title;
  // Bidirectional recurrences as two rows. nn::Recurrent records the forward cell of step t under "t=<t>/layer0"
  // and the backward cell under "t=<t>/layer0_reverse". When this suffix is not empty, two scopes right below the
  // time steps of one parent, S and S + suffix, are drawn as two rows: a cluster per direction ("S →", "← S_reverse",
  // both inside a cluster for the pair) holding that direction's steps t = 0 … T−1 left to right, each step a cluster
  // "t=<t>", and per step the two cells aligned (their first nodes share a rank, and so do their last ones). S's row
  // is drawn above: an invisible node in the other row (`row_anchor_<n>`) makes dot reach that row first, which it
  // puts below. "_reverse" for nn::Recurrent; empty: off.
  std::string reverse_row_suffix;
  // Captions of the top-level time steps (scopes "t=<t>/…"): step t's cluster is labelled "t=<t> · step_captions[t]"
  // (e.g. the word read at t); steps beyond the list keep "t=<t>".
  std::vector<std::string> step_captions;
};

// Returns the DOT text of the tape. Throws UsageError when the graph has more than max_nodes nodes, when
// collapse_depth < 1, or when heat is asked for before any backward pass.
std::string to_dot(const Tape& tape, const DotOptions& options = {});

// The name the legend node has in every export (one node, an HTML table): tests subtract it from node counts.
inline constexpr const char* kDotLegendNode = "legend";

}  // namespace tapegrad::autograd
