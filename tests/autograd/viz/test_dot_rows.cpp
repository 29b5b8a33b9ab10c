// Bidirectional recurrences in the DOT export (DotOptions::reverse_row_suffix, step_captions, and the constraint=false
// of edges that run back in time): the two directions as two rows of step clusters, the forward row above the backward
// one, both read t = 0 … T−1 left to right, the two cells of a step aligned — checked in the text read back with cgraph
// and in the layout dot computes from it.
#include <graphviz/gvc.h>

#include <algorithm>
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
  BiRnnTape b(T);
  GraphPtr g = parse_dot(to_dot(b.tape, rows_options()));
  BOOST_REQUIRE(g);
  GVC_t* gvc = layout_context();
  BOOST_REQUIRE(gvLayout(gvc, g.get(), "dot") == 0);
  attach_attrs(g.get());
  double min_x[T][2], max_x[T][2], min_y[T][2], max_y[T][2], select_x[T][2], tanh_x[T][2];
  for (int t = 0; t < T; ++t)
    for (int r = 0; r < 2; ++r) min_x[t][r] = min_y[t][r] = 1e300, max_x[t][r] = max_y[t][r] = -1e300;
  for (Agnode_t* v = agfstnode(g.get()); v; v = agnxtnode(g.get(), v)) {
    const Place p = place_of(b.tape, agnameof(v));
    if (p.row < 0) continue;
    const std::string pos = attr(v, "pos");  // "x,y"
    const double x = std::stod(pos), y = std::stod(pos.substr(pos.find(',') + 1));
    min_x[p.t][p.row] = std::min(min_x[p.t][p.row], x);
    max_x[p.t][p.row] = std::max(max_x[p.t][p.row], x);
    min_y[p.t][p.row] = std::min(min_y[p.t][p.row], y);
    max_y[p.t][p.row] = std::max(max_y[p.t][p.row], y);
    if (attr(v, "label").find("select") != std::string::npos) select_x[p.t][p.row] = x;
    if (attr(v, "label").find("tanh") != std::string::npos) tanh_x[p.t][p.row] = x;
  }
  for (int t = 0; t < T; ++t) {
    BOOST_TEST(select_x[t][0] == select_x[t][1], "step " << t);
    BOOST_TEST(tanh_x[t][0] == tanh_x[t][1], "step " << t);
    BOOST_TEST(min_y[t][0] > max_y[t][1], "step " << t << ": the forward cell above the backward one");
    for (int r = 0; r < 2; ++r)
      if (t + 1 < T) BOOST_TEST(max_x[t][r] < min_x[t + 1][r], "row " << r << ": step " << t << " before " << t + 1);
  }
  gvFreeLayout(gvc, g.get());
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
  BOOST_TEST(agnnodes(pairs[0]) == 2 * 5 * T);
  for (int r = 0; r < 2; ++r) {
    Agraph_t* row = rows[static_cast<std::size_t>(r)];
    BOOST_TEST(agnnodes(row) == 5 * T);
    for (Agnode_t* v = agfstnode(row); v; v = agnxtnode(row, v))
      BOOST_TEST(place_of(b.tape, agnameof(v)).row == r, agnameof(v));
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
