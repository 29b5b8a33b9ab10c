// The DOT export (autograd/viz/dot.hpp), read back with Graphviz's cgraph: one node per tape entry and one edge per
// input at the op level, one box per collapsed scope at the module level, one cluster per time step laid out left to
// right, gradient-flow edges, statistics, heat, determinism and the size limit.
#include <graphviz/gvc.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <set>
#include <string>

#include "autograd/viz/dot.hpp"
#include "autograd/viz/dot_test_util.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using namespace tapegrad::testing;

namespace {

std::size_t total_inputs(const Tape& tape) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < tape.size(); ++i) n += tape.inputs(tape.node(i)).size();
  return n;
}

bool message_contains(const UsageError& e, const std::string& what) {
  return std::string(e.what()).find(what) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dot_export)

BOOST_AUTO_TEST_CASE(op_level_has_one_node_per_tape_entry_and_one_edge_per_input) {
  MlpTape m;
  const std::string dot = to_dot(m.tape);
  GraphPtr g = parse_dot(dot);
  BOOST_REQUIRE(g);
  BOOST_TEST(m.tape.size() == 11u);
  BOOST_TEST(agnnodes(g.get()) == 11 + 1);  // + the legend
  BOOST_TEST(find_node(g.get(), kDotLegendNode) != nullptr);
  for (std::size_t i = 0; i < m.tape.size(); ++i)
    BOOST_TEST(find_node(g.get(), "v" + std::to_string(i)) != nullptr, "v" << i << " is missing");
  const EdgeCounts edges = count_edges(g.get());
  BOOST_TEST(edges.forward == 10);
  BOOST_TEST(static_cast<std::size_t>(edges.forward) == total_inputs(m.tape));
  BOOST_TEST(edges.grad == 0);
  BOOST_TEST(edges.invisible == 0);  // no time steps, nothing to order
  // Each input of each node is an edge input → node.
  for (std::size_t i = 0; i < m.tape.size(); ++i)
    for (std::uint32_t in : m.tape.inputs(m.tape.node(i))) {
      Agnode_t* tail = find_node(g.get(), "v" + std::to_string(in));
      Agnode_t* head = find_node(g.get(), "v" + std::to_string(i));
      BOOST_TEST((tail && head && agedge(g.get(), tail, head, nullptr, 0)), "edge v" << in << " -> v" << i);
    }
}

BOOST_AUTO_TEST_CASE(records_are_labelled_like_the_dump) {
  MlpTape m;
  DotOptions o;
  o.scope_clusters = false;  // the scope goes into the record
  GraphPtr g = parse_dot(to_dot(m.tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(attr(find_node(g.get(), "v5"), "label") == "v5 = tanh(v4)|2×3|layer1");
  BOOST_TEST(attr(find_node(g.get(), "v2"), "label") == "v2 = matmul(v0, v1)|2×3|layer1");
  BOOST_TEST(attr(find_node(g.get(), "v0"), "label") == "v0 = const|2×4");
  BOOST_TEST(attr(find_node(g.get(), "v6"), "label") == "v6 = param W2|3×3|layer2");
  BOOST_TEST(attr(find_node(g.get(), "v10"), "label") == "v10 = cross_entropy(v9, 2 ids)|[]|loss");
  BOOST_TEST(attr(find_node(g.get(), "v5"), "shape") == "record");

  // With scope clusters (the default), the scope is the cluster around the record.
  GraphPtr nested = parse_dot(to_dot(m.tape));
  BOOST_TEST(attr(find_node(nested.get(), "v5"), "label") == "v5 = tanh(v4)|2×3");
  const auto scopes = subgraphs(nested.get(), "cluster_scope_");
  BOOST_REQUIRE(scopes.size() == 3u);
  BOOST_TEST(attr(scopes[0], "label") == "layer1");
  BOOST_TEST(agsubnode(scopes[0], find_node(nested.get(), "v5"), 0) != nullptr);
  BOOST_TEST(agsubnode(scopes[0], find_node(nested.get(), "v7"), 0) == nullptr);
}

BOOST_AUTO_TEST_CASE(edges_are_labelled_by_argument_position_for_several_inputs) {
  MlpTape m;
  GraphPtr g = parse_dot(to_dot(m.tape));
  const auto edge_label = [&](int from, int to) {
    Agedge_t* e = agedge(g.get(), find_node(g.get(), "v" + std::to_string(from)),
                         find_node(g.get(), "v" + std::to_string(to)), nullptr, 0);
    BOOST_REQUIRE(e);
    return attr(e, "label");
  };
  BOOST_TEST(edge_label(0, 2) == "0");  // matmul(x, W1)
  BOOST_TEST(edge_label(1, 2) == "1");
  BOOST_TEST(edge_label(3, 4) == "1");  // add_bias(·, b1)
  BOOST_TEST(edge_label(4, 5) == "");   // tanh has one input
  BOOST_TEST(edge_label(9, 10) == "");  // cross_entropy has one input node
}

BOOST_AUTO_TEST_CASE(colours_follow_roles) {
  MlpTape m;
  GraphPtr g = parse_dot(to_dot(m.tape));
  const auto fill = [&](int i) { return attr(find_node(g.get(), "v" + std::to_string(i)), "fillcolor"); };
  // Parameters share a colour, and so do the interior values; constant, parameter, interior, loss all differ.
  BOOST_TEST(fill(1) == fill(3));
  BOOST_TEST(fill(1) == fill(8));
  BOOST_TEST(fill(2) == fill(5));
  const std::set<std::string> distinct = {fill(0), fill(1), fill(2), fill(10)};
  BOOST_TEST(distinct.size() == 4u);
  // Before backward, nothing is outlined as having received a gradient; after, every node but the constant is.
  BOOST_TEST(attr(find_node(g.get(), "v2"), "penwidth") == "");
  m.tape.backward(m.loss);
  GraphPtr after = parse_dot(to_dot(m.tape));
  BOOST_TEST(attr(find_node(after.get(), "v2"), "penwidth") == "2");
  BOOST_TEST(attr(find_node(after.get(), "v1"), "penwidth") == "2");
  BOOST_TEST(attr(find_node(after.get(), "v0"), "penwidth") == "");
}

// y = tanh(x W), J = mean(y): forward edges x→mm, W→mm, mm→tanh, tanh→mean; a gradient flows back along all but
// x→mm (x is a constant).
BOOST_AUTO_TEST_CASE(gradient_flow_adds_one_dashed_reverse_edge_per_slot_with_gradient) {
  Tensor w(Shape{3, 2}), gw(Shape{3, 2});
  w.fill(0.5f);
  Tape tape;
  const Var x = tape.full(Shape{1, 3}, 1.0f);
  const Var W = tape.parameter(w, gw, "W");
  const Var J = mean(tanh(matmul(x, W)));
  DotOptions o;
  o.show_grad_flow = true;
  GraphPtr before = parse_dot(to_dot(tape, o));
  BOOST_TEST(count_edges(before.get()).forward == 4);
  BOOST_TEST(count_edges(before.get()).grad == 0);
  tape.backward(J);
  const std::string dot = to_dot(tape, o);
  GraphPtr g = parse_dot(dot);
  BOOST_TEST(count_edges(g.get()).forward == 4);
  BOOST_TEST(count_edges(g.get()).grad == 3);
  for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n))
    for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e))
      if (attr(e, "style") == "dashed") {
        BOOST_TEST(attr(e, "dir") == "back");  // drawn from the consumer back to its input
        BOOST_TEST(std::string(agnameof(agtail(e))) != "v0");
      }
  o.show_grad_flow = false;
  BOOST_TEST(count_edges(parse_dot(to_dot(tape, o)).get()).grad == 0);
}

BOOST_AUTO_TEST_CASE(statistics_in_records) {
  Tensor w(Shape{2, 2}), gw(Shape{2, 2});
  w.fill(-3.0f);
  Tape tape;
  const Var x = tape.full(Shape{1, 2}, 2.0f);  // mean 2, max |x| 2
  const Var W = tape.parameter(w, gw, "W");    // mean −3, max |x| 3
  const Var J = sum(matmul(x, W));             // x W = [−12, −12], J = −24
  DotOptions o;
  o.stats = true;
  GraphPtr g = parse_dot(to_dot(tape, o));
  BOOST_TEST(attr(find_node(g.get(), "v0"), "label") == "v0 = const|1×2|mean 2  max\\|x\\| 2");
  BOOST_TEST(attr(find_node(g.get(), "v1"), "label") == "v1 = param W|2×2|mean -3  max\\|x\\| 3");
  tape.backward(J);
  // ∂J/∂W = xᵀ·1 = [[2, 2], [2, 2]]: ‖·‖ = 4. ∂J/∂(xW) = [1, 1]: ‖·‖ = √2.
  g = parse_dot(to_dot(tape, o));
  BOOST_TEST(attr(find_node(g.get(), "v1"), "label") == "v1 = param W|2×2|mean -3  max\\|x\\| 3|‖grad‖ 4");
  BOOST_TEST(attr(find_node(g.get(), "v2"), "label") == "v2 = matmul(v0, v1)|1×2|mean -12  max\\|x\\| 12|‖grad‖ 1.414");
  BOOST_TEST(attr(find_node(g.get(), "v0"), "label") == "v0 = const|1×2|mean 2  max\\|x\\| 2");  // no gradient
}

BOOST_AUTO_TEST_CASE(op_level_draws_one_cluster_per_time_step) {
  LstmTape l(3);
  const std::string dot = to_dot(l.tape);
  GraphPtr g = parse_dot(dot);
  BOOST_REQUIRE(g);
  BOOST_TEST(static_cast<std::size_t>(agnnodes(g.get())) == l.tape.size() + 1);
  BOOST_TEST(static_cast<std::size_t>(count_edges(g.get()).forward) == total_inputs(l.tape));
  const auto steps = subgraphs(g.get(), "cluster_step_");
  BOOST_REQUIRE(steps.size() == 3u);
  for (int t = 0; t < 3; ++t) BOOST_TEST(attr(steps[static_cast<std::size_t>(t)], "label") == "t=" + std::to_string(t));
  // Every node recorded in step t is drawn inside cluster t, and nowhere else; top-level nodes in none.
  for (std::size_t i = 0; i < l.tape.size(); ++i) {
    const std::string& scope = l.tape.scope_of(l.tape.node(i));
    Agnode_t* n = find_node(g.get(), "v" + std::to_string(i));
    for (int t = 0; t < 3; ++t) {
      const bool in_step = scope.rfind("t=" + std::to_string(t) + "/", 0) == 0;
      BOOST_TEST((agsubnode(steps[static_cast<std::size_t>(t)], n, 0) != nullptr) == in_step,
                 "v" << i << " (" << scope << ") in cluster t=" << t);
    }
  }
  // The gates are nested scope clusters inside each step: 6 gate scopes + "lstm" per step.
  BOOST_TEST(subgraphs(g.get(), "cluster_scope_").size() == 3u * 7u);
}

BOOST_AUTO_TEST_CASE(time_steps_are_laid_out_left_to_right) {
  LstmTape l(3);
  GraphPtr g = parse_dot(to_dot(l.tape));
  GVC_t* gvc = layout_context();
  BOOST_REQUIRE(gvLayout(gvc, g.get(), "dot") == 0);
  attach_attrs(g.get());  // writes the layout into the "pos" attributes
  const auto steps = subgraphs(g.get(), "cluster_step_");
  BOOST_REQUIRE(steps.size() == 3u);
  std::vector<double> min_x(3, 1e300), max_x(3, -1e300);
  for (std::size_t t = 0; t < 3; ++t)
    for (Agnode_t* n = agfstnode(steps[t]); n; n = agnxtnode(steps[t], n)) {
      const double x = std::stod(attr(n, "pos"));  // "x,y"
      min_x[t] = std::min(min_x[t], x);
      max_x[t] = std::max(max_x[t], x);
    }
  BOOST_TEST(max_x[0] < min_x[1]);
  BOOST_TEST(max_x[1] < min_x[2]);
  gvFreeLayout(gvc, g.get());
}

// Collapsed at depth 2, each step "t=<k>/lstm" is one box: 3 boxes + the 7 top-level nodes. Edges between them,
// deduplicated: W_ih, W_hh, b and xs into each box (12), h0 and c0 into box 0 (2), box k → box k+1 (h and c as one
// edge: 2), box 2 → sum (1) = 17.
BOOST_AUTO_TEST_CASE(module_level_collapses_each_step_into_one_box) {
  LstmTape l(3);
  DotOptions o;
  o.level = DotLevel::Module;
  o.collapse_depth = 2;
  GraphPtr g = parse_dot(to_dot(l.tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(agnnodes(g.get()) == 3 + 7 + 1);
  BOOST_TEST(count_edges(g.get()).forward == 17);
  const auto steps = subgraphs(g.get(), "cluster_step_");
  BOOST_REQUIRE(steps.size() == 3u);
  for (Agraph_t* step : steps) BOOST_TEST(agnnodes(step) == 1);
  // Parameters stay nodes of their own, with the names of the tape.
  BOOST_TEST(attr(find_node(g.get(), "v0"), "label") == "v0 = param W_ih|3×8");
  // A box names its scope and its size: 4 gates × 8 ops (3 slices, 2 matmuls, add_bias, add, activation) + cell 3
  // + hidden 2 + select 1 = 38 ops.
  Agnode_t* box = agfstnode(steps[1]);
  BOOST_TEST(attr(box, "label").rfind("lstm|38 ops: ", 0) == 0, attr(box, "label"));
}

// At depth 3 every gate scope is a box (6 per step), and the step's select of its input, recorded at depth 2 in
// "t=<k>/lstm", stays a node: 7 per step, 21 in all, + 7 top-level nodes.
BOOST_AUTO_TEST_CASE(module_level_at_depth_three_has_one_box_per_gate) {
  LstmTape l(3);
  DotOptions o;
  o.level = DotLevel::Module;
  o.collapse_depth = 3;
  GraphPtr g = parse_dot(to_dot(l.tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(agnnodes(g.get()) == 21 + 7 + 1);
  BOOST_TEST(subgraphs(g.get(), "cluster_step_").size() == 3u);
  for (Agraph_t* step : subgraphs(g.get(), "cluster_step_")) BOOST_TEST(agnnodes(step) == 7);
}

BOOST_AUTO_TEST_CASE(equal_tapes_give_identical_text) {
  LstmTape a(2), b(2);
  DotOptions o;
  o.stats = true;
  const std::string first = to_dot(a.tape, o);
  BOOST_TEST(first == to_dot(b.tape, o));
  BOOST_TEST(first == to_dot(a.tape, o));
  a.tape.backward(a.loss);
  b.tape.backward(b.loss);
  o.show_grad_flow = true;
  o.level = DotLevel::Module;
  BOOST_TEST(to_dot(a.tape, o) == to_dot(b.tape, o));
  BOOST_TEST(first.find("0x") == std::string::npos);  // no pointers
}

BOOST_AUTO_TEST_CASE(too_many_nodes_is_an_error_that_suggests_the_module_level) {
  LstmTape l(4);
  DotOptions o;
  o.max_nodes = 50;
  BOOST_TEST(l.tape.size() > 50u);
  BOOST_CHECK_EXCEPTION(to_dot(l.tape, o), UsageError,
                        [](const UsageError& e) { return message_contains(e, "module level"); });
  o.level = DotLevel::Module;  // 4 boxes + 7 nodes
  BOOST_CHECK_NO_THROW(to_dot(l.tape, o));
  o.max_nodes = 10;
  BOOST_CHECK_EXCEPTION(to_dot(l.tape, o), UsageError,
                        [](const UsageError& e) { return message_contains(e, "smaller depth"); });
  o.max_nodes = 400;
  o.collapse_depth = 0;
  BOOST_CHECK_THROW(to_dot(l.tape, o), UsageError);
}

BOOST_AUTO_TEST_CASE(heat_colours_by_gradient_norm) {
  LstmTape l(3);
  DotOptions o;
  o.heat = true;
  BOOST_CHECK_EXCEPTION(to_dot(l.tape, o), UsageError,
                        [](const UsageError& e) { return message_contains(e, "backward"); });
  l.tape.backward(l.loss);
  GraphPtr g = parse_dot(to_dot(l.tape, o));
  BOOST_REQUIRE(g);
  // The largest and the smallest non-zero ‖∂J/∂v‖ take the two ends of the 9-class scale; constants get none.
  std::size_t largest = 0, smallest = 0;
  double hi = -1, lo = 1e300;
  for (std::size_t i = 0; i < l.tape.size(); ++i) {
    const Node& n = l.tape.node(i);
    if (!n.grad) continue;
    double sq = 0;
    for (index_t k = 0; k < n.shape.numel(); ++k) sq += double(n.grad[k]) * n.grad[k];
    if (sq == 0) continue;
    if (std::sqrt(sq) > hi) hi = std::sqrt(sq), largest = i;
    if (std::sqrt(sq) < lo) lo = std::sqrt(sq), smallest = i;
  }
  BOOST_REQUIRE(hi > lo);
  BOOST_TEST(attr(find_node(g.get(), "v" + std::to_string(largest)), "fillcolor") == "/ylorrd9/9");
  BOOST_TEST(attr(find_node(g.get(), "v" + std::to_string(smallest)), "fillcolor") == "/ylorrd9/1");
  BOOST_TEST(attr(find_node(g.get(), "v3"), "fillcolor") == "#ffffff");  // xs: a constant, no gradient
}

BOOST_AUTO_TEST_CASE(title_and_escaping) {
  Tensor w(Shape{2, 2}), gw(Shape{2, 2});
  Tape tape;
  tape.parameter(w, gw, "odd{name}|<x>\"q\"");
  DotOptions o;
  o.title = "a \"quoted\" title";
  GraphPtr g = parse_dot(to_dot(tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(attr(g.get(), "label") == "a \"quoted\" title");
  BOOST_TEST(attr(find_node(g.get(), "v0"), "label") == "v0 = param odd\\{name\\}\\|\\<x\\>\"q\"|2×2");
}

BOOST_AUTO_TEST_SUITE_END()
