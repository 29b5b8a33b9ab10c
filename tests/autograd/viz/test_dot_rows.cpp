// Bidirectional recurrences in the DOT export (DotOptions::reverse_row_suffix, step_captions, and the constraint=false
// of edges that run back in time): the two directions as two rows of step clusters, the forward row above the backward
// one, both read t = 0 … T−1 left to right, the two cells of a step aligned — checked in the text read back with cgraph
// and in the layout dot computes from it.
#include <graphviz/gvc.h>

#include <algorithm>
#include <array>
#include <boost/test/unit_test.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "autograd/viz/dot.hpp"
#include "autograd/viz/dot_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using namespace tapegrad::testing;

namespace {

// Where a drawn tape node was recorded: its step and its row (0: "layer0", 1: "layer0_reverse"), or t = −1.
struct Place {
  int t = -1;
  int row = -1;
};

Place place_of(const Tape& tape, const std::string& node_name) {
  if (node_name.empty() || node_name[0] != 'v') return {};
  const std::string& scope = tape.scope_of(tape.node(static_cast<std::size_t>(std::stoul(node_name.substr(1)))));
  if (scope.rfind("t=", 0) != 0) return {};
  const std::size_t slash = scope.find('/');
  const std::string cell = scope.substr(slash + 1);
  return {std::stoi(scope.substr(2, slash - 2)), cell == "layer0" ? 0 : cell == "layer0_reverse" ? 1 : -1};
}

// The anonymous subgraphs with rank=same, at any depth.
void rank_groups(Agraph_t* g, std::vector<Agraph_t*>& out) {
  for (Agraph_t* s = agfstsubg(g); s; s = agnxtsubg(s)) {
    if (attr(s, "rank") == "same") out.push_back(s);
    rank_groups(s, out);
  }
}

int count_constraint_free(Agraph_t* g) {
  int n = 0;
  for (Agnode_t* v = agfstnode(g); v; v = agnxtnode(g, v))
    for (Agedge_t* e = agfstout(g, v); e; e = agnxtout(g, e)) n += attr(e, "constraint") == "false";
  return n;
}

DotOptions rows_options() {
  DotOptions o;
  o.reverse_row_suffix = "_reverse";
  return o;
}

// Where dot puts the cells of each step and direction: extents of x and y (Graphviz's y grows upwards), and the x of
// the step's select(xs, t) and tanh.
struct RowLayout {
  std::vector<std::array<double, 2>> min_x, max_x, min_y, max_y, select_x, tanh_x;  // [t][row]
};

RowLayout lay_out(const BiRnnTape& b, int steps) {
  GraphPtr g = parse_dot(to_dot(b.tape, rows_options()));
  BOOST_REQUIRE(g);
  GVC_t* gvc = layout_context();
  BOOST_REQUIRE(gvLayout(gvc, g.get(), "dot") == 0);
  attach_attrs(g.get());
  const auto n = static_cast<std::size_t>(steps);
  RowLayout l;
  l.min_x.assign(n, {1e300, 1e300}), l.min_y = l.min_x;
  l.max_x.assign(n, {-1e300, -1e300}), l.max_y = l.max_x;
  l.select_x.assign(n, {0, 0}), l.tanh_x = l.select_x;
  for (Agnode_t* v = agfstnode(g.get()); v; v = agnxtnode(g.get(), v)) {
    const Place p = place_of(b.tape, agnameof(v));
    if (p.row < 0) continue;
    const auto t = static_cast<std::size_t>(p.t), r = static_cast<std::size_t>(p.row);
    const std::string pos = attr(v, "pos");  // "x,y"
    const double x = std::stod(pos), y = std::stod(pos.substr(pos.find(',') + 1));
    l.min_x[t][r] = std::min(l.min_x[t][r], x);
    l.max_x[t][r] = std::max(l.max_x[t][r], x);
    l.min_y[t][r] = std::min(l.min_y[t][r], y);
    l.max_y[t][r] = std::max(l.max_y[t][r], y);
    if (attr(v, "label").find("select") != std::string::npos) l.select_x[t][r] = x;
    if (attr(v, "label").find("tanh") != std::string::npos) l.tanh_x[t][r] = x;
  }
  gvFreeLayout(gvc, g.get());
  return l;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dot_rows)

// The backward cell of step t reads h← of step t+1: that edge (and only that kind) does not constrain the ranks,
// with or without rows. Without the option nothing is aligned.
BOOST_AUTO_TEST_CASE(edges_back_in_time_do_not_constrain_the_layout) {
  BiRnnTape b(4);
  const std::string plain = to_dot(b.tape);
  BOOST_TEST(plain.find("rank=same") == std::string::npos);
  GraphPtr g = parse_dot(plain);
  BOOST_REQUIRE(g);
  BOOST_TEST(count_constraint_free(g.get()) == 3);  // h←_3 → step 2, h←_2 → step 1, h←_1 → step 0
  for (Agnode_t* v = agfstnode(g.get()); v; v = agnxtnode(g.get(), v))
    for (Agedge_t* e = agfstout(g.get(), v); e; e = agnxtout(g.get(), e)) {
      if (attr(e, "constraint") != "false") continue;
      const Place from = place_of(b.tape, agnameof(agtail(e))), to = place_of(b.tape, agnameof(aghead(e)));
      BOOST_TEST(from.row == 1);
      BOOST_TEST(to.row == 1);
      BOOST_TEST(from.t == to.t + 1);
    }
  // The gradient-flow edge beside each of them, too.
  b.tape.backward(b.loss);
  DotOptions o;
  o.show_grad_flow = true;
  g = parse_dot(to_dot(b.tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(count_constraint_free(g.get()) == 6);
}

// Per step, one rank for the first nodes of both cells (select(xs, t), matmul(h, U)) and one for their last (tanh).
BOOST_AUTO_TEST_CASE(the_two_cells_of_a_step_share_their_ranks) {
  BiRnnTape b(3);
  GraphPtr g = parse_dot(to_dot(b.tape, rows_options()));
  BOOST_REQUIRE(g);
  std::vector<Agraph_t*> groups;
  rank_groups(g.get(), groups);
  BOOST_REQUIRE(groups.size() == 6u);
  std::map<int, int> groups_of_step;
  for (Agraph_t* group : groups) {
    std::set<int> steps;
    int per_row[2] = {0, 0};
    for (Agnode_t* v = agfstnode(group); v; v = agnxtnode(group, v)) {
      const Place p = place_of(b.tape, agnameof(v));
      BOOST_REQUIRE(p.row >= 0);
      steps.insert(p.t);
      ++per_row[p.row];
    }
    BOOST_REQUIRE(steps.size() == 1u);  // one step
    ++groups_of_step[*steps.begin()];
    BOOST_TEST(per_row[0] == per_row[1]);  // the same nodes of both cells: 2 first nodes, or 1 last node each
    BOOST_TEST((per_row[0] == 1 || per_row[0] == 2));
  }
  for (int t = 0; t < 3; ++t) BOOST_TEST(groups_of_step[t] == 2);
}

// Laid out by dot: each row reads t = 0 … T−1 left to right (the backward one too, against its data edges), the two
// cells of a step start and end at the same x, and the forward cell is above the backward one.
BOOST_AUTO_TEST_CASE(dot_lays_the_directions_out_as_two_aligned_rows) {
  constexpr int T = 3;
  const BiRnnTape b(T);
  const RowLayout l = lay_out(b, T);
  for (std::size_t t = 0; t < T; ++t) {
    BOOST_TEST(l.select_x[t][0] == l.select_x[t][1], "step " << t);
    BOOST_TEST(l.tanh_x[t][0] == l.tanh_x[t][1], "step " << t);
    BOOST_TEST(l.min_y[t][0] > l.max_y[t][1], "step " << t << ": the forward cell above the backward one");
    for (std::size_t r = 0; r < 2; ++r)
      if (t + 1 < T)
        BOOST_TEST(l.max_x[t][r] < l.min_x[t + 1][r], "row " << r << ": step " << t << " before " << t + 1);
  }
}

// Which of two sibling clusters dot draws on top would otherwise depend on the memory addresses of their names (its
// internal ids), so on whatever the process allocated before: the same text laid out after different allocations
// must keep the forward row on top every time.
BOOST_AUTO_TEST_CASE(the_forward_row_stays_on_top_whatever_the_heap_holds) {
  std::vector<std::string> clutter;
  int below = 0, layouts = 0;
  for (int round = 0; round < 15; ++round) {
    for (int k = 0; k < 60 * round; ++k) clutter.emplace_back(static_cast<std::size_t>(5 + (k * 7919) % 40), 'x');
    for (std::size_t k = 0; k < clutter.size(); k += 3) clutter[k] = std::string();  // holes of every size
    for (int T : {2, 3, 5}) {
      const BiRnnTape b(T);
      const RowLayout l = lay_out(b, T);
      ++layouts;
      for (std::size_t t = 0; t < static_cast<std::size_t>(T); ++t)
        if (l.min_y[t][0] <= l.max_y[t][1]) {
          ++below;
          break;
        }
    }
  }
  BOOST_TEST(below == 0, "the forward row was not on top in " << below << " of " << layouts << " layouts");
}

// One cluster per direction, both in one cluster for the pair; in each, one cluster per step holding that direction's
// cell of the step, and nothing else.
BOOST_AUTO_TEST_CASE(each_direction_is_a_row_of_step_clusters) {
  constexpr int T = 3;
  BiRnnTape b(T);
  GraphPtr g = parse_dot(to_dot(b.tape, rows_options()));
  BOOST_REQUIRE(g);
  const auto pairs = subgraphs(g.get(), "cluster_pair_");
  const auto rows = subgraphs(g.get(), "cluster_row_");
  BOOST_REQUIRE(pairs.size() == 1u);
  BOOST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(attr(rows[0], "label") == "layer0 →");  // recorded first: printed first
  BOOST_TEST(attr(rows[1], "label") == "← layer0_reverse");
  // 5 nodes per step and direction, and the backward row's invisible anchor (which puts it below the other).
  BOOST_TEST(agnnodes(pairs[0]) == 2 * 5 * T + 1);
  BOOST_TEST(attr(find_node(g.get(), "row_anchor_1"), "style") == "invis");
  BOOST_TEST(agsubnode(rows[1], find_node(g.get(), "row_anchor_1"), 0) != nullptr);
  for (int r = 0; r < 2; ++r) {
    Agraph_t* row = rows[static_cast<std::size_t>(r)];
    BOOST_TEST(agnnodes(row) == 5 * T + r);
    for (Agnode_t* v = agfstnode(row); v; v = agnxtnode(row, v))
      if (std::string(agnameof(v)) != "row_anchor_1") BOOST_TEST(place_of(b.tape, agnameof(v)).row == r, agnameof(v));
    const auto steps = subgraphs(row, "cluster_step_");
    BOOST_REQUIRE(steps.size() == static_cast<std::size_t>(T));
    for (Agraph_t* step : steps) {
      BOOST_TEST(agnnodes(step) == 5);
      std::set<int> ts;
      for (Agnode_t* v = agfstnode(step); v; v = agnxtnode(step, v)) ts.insert(place_of(b.tape, agnameof(v)).t);
      BOOST_TEST(ts.size() == 1u);
      BOOST_TEST(attr(step, "label") == "t=" + std::to_string(*ts.begin()));
    }
  }
  // Without the option: one cluster per step, holding both cells (as nested scope clusters).
  g = parse_dot(to_dot(b.tape));
  BOOST_REQUIRE(g);
  BOOST_TEST(subgraphs(g.get(), "cluster_row_").empty());
  BOOST_TEST(subgraphs(g.get(), "cluster_step_").size() == static_cast<std::size_t>(T));
}

// At the module level each cell of each step is one box (collapsed at depth 2, "t=<t>/layer0"), placed in its row's
// step; without scope clusters the rows are still drawn, the steps labelled by their time component.
BOOST_AUTO_TEST_CASE(boxes_and_unclustered_scopes_keep_their_rows) {
  constexpr int T = 3;
  BiRnnTape b(T);
  DotOptions o = rows_options();
  o.level = DotLevel::Module;
  GraphPtr g = parse_dot(to_dot(b.tape, o));
  BOOST_REQUIRE(g);
  const auto rows = subgraphs(g.get(), "cluster_row_");
  BOOST_REQUIRE(rows.size() == 2u);
  for (std::size_t r = 0; r < 2; ++r) {
    const auto steps = subgraphs(rows[r], "cluster_step_");
    BOOST_REQUIRE(steps.size() == static_cast<std::size_t>(T));
    for (Agraph_t* step : steps) {
      BOOST_REQUIRE(agnnodes(step) == 1);
      BOOST_TEST(attr(agfstnode(step), "tooltip") ==
                 std::string(attr(step, "label")) + (r ? "/layer0_reverse" : "/layer0"));
    }
  }
  o.level = DotLevel::Op;
  o.scope_clusters = false;
  g = parse_dot(to_dot(b.tape, o));
  BOOST_REQUIRE(g);
  BOOST_TEST(subgraphs(g.get(), "cluster_row_").size() == 2u);
  BOOST_TEST(subgraphs(g.get(), "cluster_scope_").empty());
  for (Agraph_t* step : subgraphs(g.get(), "cluster_step_")) BOOST_TEST(attr(step, "label").rfind("t=", 0) == 0);
}

// Captions go on the steps of the top level, in both rows.
BOOST_AUTO_TEST_CASE(captions_label_the_top_level_steps) {
  BiRnnTape b(3);
  DotOptions o = rows_options();
  o.step_captions = {"the", "old"};
  GraphPtr g = parse_dot(to_dot(b.tape, o));
  BOOST_REQUIRE(g);
  const auto steps = subgraphs(g.get(), "cluster_step_");
  BOOST_REQUIRE(steps.size() == 6u);
  std::multiset<std::string> labels;
  for (Agraph_t* s : steps) labels.insert(attr(s, "label"));
  BOOST_TEST((labels == std::multiset<std::string>{"t=0 · the", "t=0 · the", "t=1 · old", "t=1 · old", "t=2", "t=2"}));
}

BOOST_AUTO_TEST_SUITE_END()
