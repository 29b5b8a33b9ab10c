// Helpers of the diagram tests: known tapes (a small MLP, a composed LSTM unrolled with the scopes nn::unroll uses),
// and a DOT reader built on Graphviz's cgraph, so the tests check the exported text the way Graphviz will read it.
#pragma once

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "support/random.hpp"

namespace tapegrad::testing {

// ---- Known tapes -----------------------------------------------------------------------------------------------

// x (2×4) → layer1: tanh(x W1 + b1) (2×3) → layer2: · W2 + b2 (2×3) → loss: cross_entropy. 11 nodes, 10 input slots:
//   v0 const x, v1 param W1, v2 matmul(v0, v1), v3 param b1, v4 add_bias(v2, v3), v5 tanh(v4), v6 param W2,
//   v7 matmul(v5, v6), v8 param b2, v9 add_bias(v7, v8), v10 cross_entropy(v9)
struct MlpTape {
  std::vector<Tensor> params, grads;
  autograd::Tape tape;
  autograd::Var loss;

  explicit MlpTape(unsigned seed = 7) {
    using namespace autograd;
    std::mt19937 rng(seed);
    for (const Shape& s : {Shape{4, 3}, Shape{3}, Shape{3, 3}, Shape{3}}) {
      params.push_back(uniform_tensor(s, rng));
      grads.emplace_back(s);
    }
    const Tensor x_value = uniform_tensor(Shape{2, 4}, rng);
    const Var x = tape.constant(x_value);
    Var h, logits;
    {
      ScopeGuard s(tape, "layer1");
      const Var W1 = tape.parameter(params[0], grads[0], "W1");
      const Var m = matmul(x, W1);
      const Var b1 = tape.parameter(params[1], grads[1], "b1");
      h = tanh(add_bias(m, b1));
    }
    {
      ScopeGuard s(tape, "layer2");
      const Var W2 = tape.parameter(params[2], grads[2], "W2");
      const Var m = matmul(h, W2);
      const Var b2 = tape.parameter(params[3], grads[3], "b2");
      logits = add_bias(m, b2);
    }
    ScopeGuard s(tape, "loss");
    const std::vector<std::int32_t> targets = {0, 2};
    loss = cross_entropy(logits, targets);
  }
};

// A composed LSTM (gates i, f, g, o) unrolled over `steps` with the scopes of nn::unroll: parameters W_ih, W_hh, b
// and the inputs xs, h0, c0 at the top level; step t under "t=<t>/lstm", each gate in its own scope below
// ("input_gate", "forget_gate", "candidate", "output_gate", "cell", "hidden"); J = sum(h_T) at the top level.
struct LstmTape {
  static constexpr index_t B = 2, I = 3, H = 2;
  std::vector<Tensor> params, grads;
  autograd::Tape tape;
  autograd::Var loss;
  std::size_t top_level_nodes = 0;  // params (3) + xs + h0 + c0 + loss = 7

  explicit LstmTape(int steps, unsigned seed = 11) {
    using namespace autograd;
    std::mt19937 rng(seed);
    for (const Shape& s : {Shape{I, 4 * H}, Shape{H, 4 * H}, Shape{4 * H}}) {
      params.push_back(uniform_tensor(s, rng));
      grads.emplace_back(s);
    }
    const Var W_ih = tape.parameter(params[0], grads[0], "W_ih");
    const Var W_hh = tape.parameter(params[1], grads[1], "W_hh");
    const Var b = tape.parameter(params[2], grads[2], "b");
    const Tensor xs_value = uniform_tensor(Shape{steps, B, I}, rng);
    const Var xs = tape.constant(xs_value);
    Var h = tape.full(Shape{B, H}, 0.0f);
    Var c = tape.full(Shape{B, H}, 0.0f);
    for (int t = 0; t < steps; ++t) {
      ScopeGuard step(tape, "t=" + std::to_string(t));
      ScopeGuard cell(tape, "lstm");
      const Var x = select(xs, t);
      const auto gate = [&](const char* name, index_t k, bool is_tanh) {
        ScopeGuard g(tape, name);
        // One statement per node: the order of argument evaluation is unspecified, the tape's order must not be.
        const Var w_x = slice(W_ih, k * H, H);
        const Var x_w = matmul(x, w_x);
        const Var b_k = slice(b, k * H, H);
        const Var from_x = add_bias(x_w, b_k);
        const Var w_h = slice(W_hh, k * H, H);
        const Var from_h = matmul(h, w_h);
        const Var pre = add(from_x, from_h);
        return is_tanh ? tanh(pre) : sigmoid(pre);
      };
      const Var i = gate("input_gate", 0, false);
      const Var f = gate("forget_gate", 1, false);
      const Var g = gate("candidate", 2, true);
      const Var o = gate("output_gate", 3, false);
      {
        ScopeGuard s(tape, "cell");
        const Var kept = mul(f, c);
        const Var added = mul(i, g);
        c = add(kept, added);
      }
      ScopeGuard s(tape, "hidden");
      const Var squashed = tanh(c);
      h = mul(o, squashed);
    }
    loss = sum(h);
    top_level_nodes = 7;
  }
};

// A bidirectional tanh RNN with the scopes of nn::Recurrent: parameters W, U (forward) and W_r, U_r (backward) and
// the inputs xs, h0 at the top level; the forward cell of step t under "t=<t>/layer0", run t = 0 … T−1, then the
// backward cell under "t=<t>/layer0_reverse", run t = T−1 … 0; each step h = tanh(x_t W + h U) with its three nodes
// select(xs, t) and matmul(h, U) (the first, reading only from outside the step), matmul(x, W), add, tanh (the last);
// J = sum(concat(stack(h→), stack(h←))) at the top level. 6 top-level nodes before the steps, 5 nodes per step and
// direction, 4 after.
struct BiRnnTape {
  static constexpr index_t B = 2, I = 3, H = 2;
  std::vector<Tensor> params, grads;
  autograd::Tape tape;
  autograd::Var loss;

  explicit BiRnnTape(int steps, unsigned seed = 13) {
    using namespace autograd;
    std::mt19937 rng(seed);
    for (const Shape& s : {Shape{I, H}, Shape{H, H}, Shape{I, H}, Shape{H, H}}) {
      params.push_back(uniform_tensor(s, rng));
      grads.emplace_back(s);
    }
    const Var W = tape.parameter(params[0], grads[0], "W");
    const Var U = tape.parameter(params[1], grads[1], "U");
    const Var W_r = tape.parameter(params[2], grads[2], "W_r");
    const Var U_r = tape.parameter(params[3], grads[3], "U_r");
    const Tensor xs_value = uniform_tensor(Shape{steps, B, I}, rng);
    const Var xs = tape.constant(xs_value);
    const Var h0 = tape.full(Shape{B, H}, 0.0f);
    std::vector<Var> outputs[2];
    for (int d = 0; d < 2; ++d) {
      outputs[d].resize(static_cast<std::size_t>(steps));
      Var h = h0;
      for (int k = 0; k < steps; ++k) {
        const int t = d == 0 ? k : steps - 1 - k;
        ScopeGuard step(tape, "t=" + std::to_string(t));
        ScopeGuard cell(tape, d == 0 ? "layer0" : "layer0_reverse");
        const Var x = select(xs, t);
        const Var from_h = matmul(h, d == 0 ? U : U_r);
        const Var from_x = matmul(x, d == 0 ? W : W_r);
        const Var pre = add(from_x, from_h);
        h = tanh(pre);
        outputs[d][static_cast<std::size_t>(t)] = h;
      }
    }
    const Var forward = stack(outputs[0]);
    const Var backward = stack(outputs[1]);
    loss = sum(concat({forward, backward}));
  }
};

// ---- Reading DOT back with cgraph --------------------------------------------------------------------------------

struct GraphCloser {
  void operator()(Agraph_t* g) const { agclose(g); }
};
using GraphPtr = std::unique_ptr<Agraph_t, GraphCloser>;

inline GraphPtr parse_dot(const std::string& dot) { return GraphPtr(agmemread(dot.c_str())); }

// An attribute's value, "" when it is not set.
inline std::string attr(void* object, const char* name) {
  const char* v = agget(object, const_cast<char*>(name));
  return v ? v : "";
}

// The Graphviz context of the layout tests, one for the process and never freed, like the library's own
// (autograd/viz/render.cpp): Graphviz 2.43's text-layout plugin keeps a pointer into the font dictionary of the last
// context that measured a label.
inline GVC_t* layout_context() {
  static GVC_t* gvc = gvContext();
  return gvc;
}

inline Agnode_t* find_node(Agraph_t* g, const std::string& name) {
  return agnode(g, const_cast<char*>(name.c_str()), 0);
}

// The edges of a parsed graph, by kind: forward data flow, gradient flow (dashed), layout-only (invisible).
struct EdgeCounts {
  int forward = 0, grad = 0, invisible = 0;
};

inline EdgeCounts count_edges(Agraph_t* g) {
  EdgeCounts c;
  for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n))
    for (Agedge_t* e = agfstout(g, n); e; e = agnxtout(g, e)) {
      const std::string style = attr(e, "style");
      if (style == "invis")
        ++c.invisible;
      else if (style == "dashed")
        ++c.grad;
      else
        ++c.forward;
    }
  return c;
}

// Every subgraph whose name starts with `prefix`, at any depth.
inline void collect_subgraphs(Agraph_t* g, const std::string& prefix, std::vector<Agraph_t*>& out) {
  for (Agraph_t* s = agfstsubg(g); s; s = agnxtsubg(s)) {
    if (std::string(agnameof(s)).rfind(prefix, 0) == 0) out.push_back(s);
    collect_subgraphs(s, prefix, out);
  }
}

// Every subgraph named `prefix`<n>, at any depth, sorted by n. (cgraph's own iteration order is that of its internal
// ids, which follow memory addresses, not the order of the text.)
inline std::vector<Agraph_t*> subgraphs(Agraph_t* g, const std::string& prefix) {
  std::vector<Agraph_t*> out;
  collect_subgraphs(g, prefix, out);
  const auto number = [&](Agraph_t* s) { return std::stoi(std::string(agnameof(s)).substr(prefix.size())); };
  std::sort(out.begin(), out.end(), [&](Agraph_t* a, Agraph_t* b) { return number(a) < number(b); });
  return out;
}

inline std::size_t count_occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace tapegrad::testing
