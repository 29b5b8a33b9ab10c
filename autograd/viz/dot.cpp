// DOT export of a tape (see dot.hpp). Three steps: decide what is drawn (one item per tape node, or per collapsed
// scope), place the items in the tree of clusters (time steps, nested scopes), then print items, clusters and edges,
// all in tape order.
#include "autograd/viz/dot.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "autograd/node_stats.hpp"
#include "autograd/viz/dot_style.hpp"
#include "ops/error.hpp"

namespace tapegrad::autograd {

namespace {

using dot_style::Role;

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string join(const std::vector<std::string_view>& parts, std::size_t begin, std::size_t end) {
  std::string s;
  for (std::size_t k = begin; k < end; ++k) (s += k > begin ? "/" : "") += parts[k];
  return s;
}

// "t=12": the scope of one time step (nn::unroll records step t under "t=<t>").
bool is_time_component(std::string_view c) {
  return c.size() > 2 && c.size() <= 14 && c.starts_with("t=") &&
         std::all_of(c.begin() + 2, c.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// One drawn node: a tape node (op level, or a node outside the collapsed scopes) or a collapsed scope (a box).
struct Item {
  std::string id;                      // "v7", or "m3" for a box
  std::string scope;                   // where it is placed: the node's scope, or the box's parent scope
  std::string name;                    // a box's own scope path (empty for a tape node)
  std::vector<std::uint32_t> members;  // tape indices, ascending
  Role role = Role::Interior;
  bool has_grad = false;
  double grad_norm = 0;  // a node's ‖g‖; a box's ‖g‖ over its outputs (values consumed outside it)
};

struct Cluster {
  std::string prefix;  // the scope path it stands for (a row: the path above its steps)
  std::string label;
  bool time = false;
  bool pair = false;                  // reverse_row_suffix: the two rows of a bidirectional scope
  bool row = false;                   // reverse_row_suffix: one direction's steps, inside its pair
  bool reverse = false;               // a row: the backward direction's (it holds the anchor, see print_rows)
  std::size_t ordinal = 0;            // among time clusters, or among the other clusters, in order of first appearance
  std::vector<std::size_t> children;  // clusters, in order of first appearance
  std::vector<std::size_t> items;
};

// The time step an item is drawn in: scope "<prefix>/t=<t>/<row>/…" (a box: its own name).
struct StepPlace {
  bool timed = false;
  std::string prefix;  // the scope path above the time component ("" at the top level)
  long long t = 0;
  std::string row;  // the component below the time component ("layer0", "layer0_reverse"), "" when there is none
};

struct Edge {
  std::size_t from, to;                // items
  std::vector<std::size_t> positions;  // argument positions (labelled when the consumer is a node with ≥ 2 inputs)
  bool grad = false;                   // a gradient flowed along it (both ends received one)
  bool from_parameter = false;
};

class Builder {
 public:
  Builder(const Tape& tape, const DotOptions& options) : tape_(tape), o_(options) {}

  std::string build();

 private:
  void make_items();
  void make_edges();
  void place_items();
  std::string placement(const Item& item) const;
  bool is_row(const std::string& prefix, std::string_view name) const;
  std::size_t child_cluster(std::size_t parent, const std::string& key, Cluster c);
  std::size_t cluster_for(const std::string& scope);
  std::string node_label(const Item& item, std::string_view cluster_prefix) const;
  std::string box_label(const Item& item, std::string_view cluster_prefix) const;
  void print_cluster(std::ostream& out, std::size_t c, int depth) const;
  void print_item(std::ostream& out, const Item& item, std::string_view cluster_prefix, int depth) const;
  void check_size() const;
  void find_steps();
  bool against_time(const Edge& e) const;
  std::vector<std::pair<std::size_t, std::size_t>> step_order_edges() const;
  void print_rows(std::ostream& out) const;

  const Tape& tape_;
  const DotOptions& o_;
  std::vector<std::size_t> item_of_;      // tape index → item
  std::vector<std::uint32_t> consumers_;  // tape index → number of input slots it fills
  std::vector<std::uint8_t> leaves_box_;  // tape index → a value of a box used outside it, or never used
  std::vector<Item> items_;
  std::vector<Edge> edges_;
  std::vector<StepPlace> place_;                      // item → its time step
  std::vector<bool> fed_inside_, feeds_inside_;       // item → has an input / a consumer in its own time step
  std::vector<Cluster> clusters_;                     // [0] = the top level
  std::map<std::string, std::size_t> cluster_index_;  // lookup only; never iterated
  std::set<std::pair<std::string, std::string>> step_scopes_;  // (prefix, scope right below a time component)
  std::size_t time_clusters_ = 0, scope_clusters_ = 0, pair_clusters_ = 0, row_clusters_ = 0;
  double heat_lo_ = 0, heat_hi_ = 0;
};

void Builder::make_items() {
  const std::size_t n = tape_.size();
  consumers_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::uint32_t in : tape_.inputs(tape_.node(i))) ++consumers_[in];

  std::map<std::string, std::size_t> box_index;  // lookup only
  item_of_.assign(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const Node& node = tape_.node(i);
    const std::string& scope = tape_.scope_of(node);
    const auto parts = components(scope);
    const bool collapse = o_.level == DotLevel::Module && node.op != OpCode::Parameter &&
                          parts.size() >= static_cast<std::size_t>(o_.collapse_depth);
    if (collapse) {
      const std::size_t depth = static_cast<std::size_t>(o_.collapse_depth);
      std::string name = join(parts, 0, depth);
      auto [it, inserted] = box_index.try_emplace(name, items_.size());
      if (inserted) {
        Item box;
        box.id = "m" + std::to_string(it->second);
        box.scope = join(parts, 0, depth - 1);
        box.name = std::move(name);
        items_.push_back(std::move(box));
      }
      item_of_[i] = it->second;
      items_[it->second].members.push_back(i);
    } else {
      Item item;
      item.id = "v" + std::to_string(i);
      item.scope = scope;
      // A parameter recorded inside a collapsed scope is drawn next to its box, not in a cluster of the box's name.
      if (o_.level == DotLevel::Module && parts.size() >= static_cast<std::size_t>(o_.collapse_depth))
        item.scope = join(parts, 0, static_cast<std::size_t>(o_.collapse_depth) - 1);
      item.members = {i};
      item_of_[i] = items_.size();
      items_.push_back(std::move(item));
    }
  }

  // Roles and gradients. A box is an output if it holds a value nothing consumes; its gradient norm is that of the
  // values leaving it (for a recurrent cell at step t: ∂J/∂h_t, ∂J/∂c_t).
  for (Item& item : items_) {
    for (std::uint32_t i : item.members) {
      const Node& node = tape_.node(i);
      item.has_grad = item.has_grad || node.grad != nullptr;
      if (!is_leaf(node.op) && consumers_[i] == 0) item.role = Role::Output;
    }
    if (item.members.size() == 1) {
      const Node& node = tape_.node(item.members[0]);
      if (node.op == OpCode::Parameter) item.role = Role::Parameter;
      if (node.op == OpCode::Constant || node.op == OpCode::Variable) item.role = Role::Constant;
      if (item.name.empty()) item.grad_norm = grad_norm(node);
    }
  }
  leaves_box_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = tape_.node(i);
    if (consumers_[i] == 0 && !is_leaf(node.op)) leaves_box_[i] = 1;
    for (std::uint32_t in : tape_.inputs(node))
      if (item_of_[in] != item_of_[i]) leaves_box_[in] = 1;
  }
  for (Item& item : items_)
    if (!item.name.empty()) {
      double sq = 0;
      for (std::uint32_t i : item.members)
        if (leaves_box_[i]) sq += std::pow(grad_norm(tape_.node(i)), 2);
      item.grad_norm = std::sqrt(sq);
    }
}

void Builder::make_edges() {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> edge_index;  // lookup only
  for (std::uint32_t i = 0; i < tape_.size(); ++i) {
    const Node& node = tape_.node(i);
    const auto in = tape_.inputs(node);
    for (std::size_t k = 0; k < in.size(); ++k) {
      const Node& input = tape_.node(in[k]);
      const std::size_t from = item_of_[in[k]], to = item_of_[i];
      if (from == to) continue;  // inside a box
      std::size_t e;
      if (o_.level == DotLevel::Op) {  // every input slot is an edge of its own
        e = edges_.size();
        edges_.push_back({from, to, {}, false, false});
      } else {
        auto [it, inserted] = edge_index.try_emplace({from, to}, edges_.size());
        if (inserted) edges_.push_back({from, to, {}, false, false});
        e = it->second;
      }
      Edge& edge = edges_[e];
      if (in.size() >= 2 && items_[to].name.empty()) edge.positions.push_back(k);
      edge.grad = edge.grad || (input.grad != nullptr && node.grad != nullptr);
      edge.from_parameter = input.op == OpCode::Parameter;
    }
  }
}

// The scope an item is placed by: its own. A box standing for a row's scope at one step ("t=3/layer0", collapsed at
// depth 2) is placed by its name, so that it goes into its row.
std::string Builder::placement(const Item& item) const {
  if (o_.reverse_row_suffix.empty() || item.name.empty()) return item.scope;
  const auto parts = components(item.name);
  if (parts.size() >= 2 && is_time_component(parts[parts.size() - 2])) return item.name;
  return item.scope;
}

// reverse_row_suffix: whether the scope `name`, right below a time component under `prefix`, is one of a pair of
// rows — "layer0" when some step under `prefix` also has "layer0_reverse", or the other way round.
bool Builder::is_row(const std::string& prefix, std::string_view name) const {
  const std::string& suffix = o_.reverse_row_suffix;
  if (suffix.empty()) return false;
  if (name.size() > suffix.size() && name.ends_with(suffix))
    return step_scopes_.count({prefix, std::string(name.substr(0, name.size() - suffix.size()))}) > 0;
  return step_scopes_.count({prefix, std::string(name) + suffix}) > 0;
}

// The cluster `key` below `parent`, made from `c` when it is new (numbered in order of first appearance).
std::size_t Builder::child_cluster(std::size_t parent, const std::string& key, Cluster c) {
  auto [it, inserted] = cluster_index_.try_emplace(key, clusters_.size());
  if (inserted) {
    c.ordinal = c.pair ? pair_clusters_++ : c.row ? row_clusters_++ : c.time ? time_clusters_++ : scope_clusters_++;
    clusters_.push_back(std::move(c));
    clusters_[parent].children.push_back(it->second);
  }
  return it->second;
}

std::size_t Builder::cluster_for(const std::string& scope) {
  const auto parts = components(scope);
  std::size_t parent = 0;
  std::size_t first = 0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const bool time = is_time_component(parts[k]);
    if (!o_.scope_clusters && !time) continue;  // only time steps are clusters; the rest goes into the labels
    std::size_t end = k + 1;                    // the cluster stands for parts [0, end)
    std::string label = o_.scope_clusters ? std::string(parts[k]) : join(parts, first, k + 1);
    if (time && k + 1 < parts.size() && is_row(join(parts, 0, k), parts[k + 1])) {
      // One direction of a pair: its row, and in it this step, which also stands for the direction's scope.
      const std::string name(parts[k + 1]);
      const bool reverse = name.ends_with(o_.reverse_row_suffix);
      const std::string base = reverse ? name.substr(0, name.size() - o_.reverse_row_suffix.size()) : name;
      Cluster row;
      row.prefix = join(parts, 0, k);
      row.label = reverse ? "← " + name : name + " →";
      row.row = true;
      row.reverse = reverse;
      Cluster pair;  // both rows, so that they stay next to each other
      pair.prefix = row.prefix;
      pair.label = base + ", both directions";
      pair.pair = true;
      const std::string pair_key = row.prefix + "\x1f" + base;
      parent = child_cluster(parent, pair_key, std::move(pair));
      const std::string key = row.prefix + "\x1f" + base + "\x1f" + name;
      parent = child_cluster(parent, key, std::move(row));
      end = k + 2;
    }
    if (time && k == 0) {  // a top-level step: its caption, if there is one
      const auto t = static_cast<std::size_t>(std::stoull(std::string(parts[k].substr(2))));
      if (t < o_.step_captions.size()) label += " · " + o_.step_captions[t];
    }
    Cluster c;
    c.prefix = join(parts, 0, end);
    c.label = std::move(label);
    c.time = time;
    const std::string key = c.prefix;
    parent = child_cluster(parent, key, std::move(c));
    first = end;
    k = end - 1;
  }
  return parent;
}

void Builder::place_items() {
  clusters_.push_back(Cluster{});
  if (!o_.reverse_row_suffix.empty())
    for (const Item& item : items_) {
      const std::string path = placement(item);
      const auto parts = components(path);  // views into path
      for (std::size_t c = 0; c + 1 < parts.size(); ++c)
        if (is_time_component(parts[c])) step_scopes_.insert({join(parts, 0, c), std::string(parts[c + 1])});
    }
  for (std::size_t k = 0; k < items_.size(); ++k) clusters_[cluster_for(placement(items_[k]))].items.push_back(k);
}

void Builder::check_size() const {
  if (items_.size() <= o_.max_nodes) return;
  const std::string count = std::to_string(items_.size()), limit = std::to_string(o_.max_nodes);
  if (o_.level == DotLevel::Op)
    throw UsageError("to_dot: the tape has " + count + " nodes, more than max_nodes = " + limit +
                     ": too many to read in one picture. Draw it at the module level (DotOptions::level = "
                     "DotLevel::Module, `tapegrad graph --level module`), which collapses each scope into one box, "
                     "or unroll fewer steps, or raise max_nodes");
  throw UsageError("to_dot: the module-level graph (scopes collapsed at depth " + std::to_string(o_.collapse_depth) +
                   ") still has " + count + " nodes, more than max_nodes = " + limit +
                   ": collapse at a smaller depth, unroll fewer steps, or raise max_nodes");
}

// The scope shown in a record when clusters do not show it: the part below the enclosing cluster.
std::string scope_below(std::string_view scope, std::string_view cluster_prefix) {
  if (cluster_prefix.empty()) return std::string(scope);
  if (scope.size() > cluster_prefix.size()) return std::string(scope.substr(cluster_prefix.size() + 1));
  return {};
}

std::string Builder::node_label(const Item& item, std::string_view cluster_prefix) const {
  using dot_style::record_escape;
  const std::uint32_t i = item.members[0];
  const Node& node = tape_.node(i);
  std::string label =
      record_escape("v" + std::to_string(i) + " = " + tape_.label(i)) + "|" + record_escape(node.shape.str());
  const std::string scope = scope_below(item.scope, cluster_prefix);
  if (!o_.scope_clusters && !scope.empty()) label += "|" + record_escape(scope);
  if (o_.stats) {
    const ValueStats v = value_stats(node);
    label += "|" + record_escape("mean " + format_stat(v.mean) + "  max|x| " + format_stat(v.max_abs));
    if (node.grad) label += "|" + record_escape("‖grad‖ " + format_stat(grad_norm(node)));
  }
  return label;
}

std::string Builder::box_label(const Item& item, std::string_view cluster_prefix) const {
  using dot_style::record_escape;
  // What the box computes: its op counts, most frequent first (ties by name).
  std::map<std::string, int> counts;
  for (std::uint32_t i : item.members) ++counts[op_name(tape_.node(i).op)];
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [name, count] : counts) ranked.emplace_back(-count, name);
  std::sort(ranked.begin(), ranked.end());
  std::string ops = std::to_string(item.members.size()) + (item.members.size() == 1 ? " op: " : " ops: ");
  for (std::size_t k = 0; k < ranked.size() && k < 3; ++k)
    ops += (k ? ", " : "") + std::to_string(-ranked[k].first) + " " + ranked[k].second;
  if (ranked.size() > 3) ops += ", …";
  // The values that leave the box.
  std::string outs;
  std::size_t shown = 0, total = 0;
  for (std::uint32_t i : item.members) {
    if (!leaves_box_[i]) continue;
    if (++total <= 3) outs += (shown++ ? ", v" : "out: v") + std::to_string(i) + " " + tape_.node(i).shape.str();
  }
  if (total > 3) outs += ", +" + std::to_string(total - 3);
  const std::string name =
      o_.scope_clusters ? std::string(components(item.name).back()) : scope_below(item.name, cluster_prefix);
  std::string label = record_escape(name.empty() ? item.name : name) + "|" + record_escape(ops);
  if (!outs.empty()) label += "|" + record_escape(outs);
  if (o_.stats && item.has_grad) label += "|" + record_escape("‖grad out‖ " + format_stat(item.grad_norm));
  return label;
}

std::string indent(int depth) { return std::string(static_cast<std::size_t>(2 * depth), ' '); }

void Builder::print_item(std::ostream& out, const Item& item, std::string_view cluster_prefix, int depth) const {
  const bool box = !item.name.empty();
  out << indent(depth) << item.id << " [label=\""
      << (box ? box_label(item, cluster_prefix) : node_label(item, cluster_prefix)) << "\"";
  if (box) out << ", style=\"filled\", penwidth=1.5";
  if (o_.heat) {
    if (item.has_grad && item.grad_norm == 0) {
      out << ", fillcolor=\"" << dot_style::kZeroGradFill << "\"";
    } else if (item.has_grad) {
      const int k = dot_style::heat_class(std::log10(item.grad_norm), heat_lo_, heat_hi_);
      out << ", fillcolor=\"/ylorrd9/" << k << "\"";
      if (k >= dot_style::kHeatClasses - 1) out << ", fontcolor=white";
    } else {
      out << ", fillcolor=\"" << dot_style::kNoGradFill << "\", fontcolor=\"#808080\"";
    }
  } else {
    out << ", fillcolor=\"" << dot_style::fill(item.role) << "\"";
    if (item.has_grad) out << ", color=\"" << dot_style::kGradColor << "\", penwidth=2";
  }
  // The full scope as a tooltip (SVG viewers show it on hover).
  const std::string& scope = box ? item.name : item.scope;
  if (!scope.empty()) out << ", tooltip=" << dot_style::quote(scope);
  out << "];\n";
}

void Builder::print_cluster(std::ostream& out, std::size_t c, int depth) const {
  const Cluster& cluster = clusters_[c];
  for (std::size_t k : cluster.items) print_item(out, items_[k], cluster.prefix, depth);
  for (std::size_t child : cluster.children) {
    const Cluster& sub = clusters_[child];
    const char* kind = sub.pair ? "pair_" : sub.row ? "row_" : sub.time ? "step_" : "scope_";
    out << indent(depth) << "subgraph cluster_" << kind << sub.ordinal << " {\n";
    out << indent(depth + 1) << "label=" << dot_style::quote(sub.label) << ";\n";
    if (sub.row)
      out << indent(depth + 1) << "style=\"rounded,filled\"; color=\"#c8c8c8\"; fillcolor=\"#f7f7f7\"; fontsize=12; "
          << "labeljust=l;\n";
    else if (sub.time)
      out << indent(depth + 1) << "style=\"rounded\"; color=\"#404040\"; penwidth=1.5; fontsize=14;\n";
    else
      out << indent(depth + 1) << "style=\"rounded,dashed\"; color=\"#a0a0a0\"; fontsize=10; fontcolor=\"#505050\";\n";
    if (sub.row && sub.reverse)
      out << indent(depth + 1) << "row_anchor_" << sub.ordinal
          << " [shape=point, style=invis, width=0, height=0, label=\"\"];\n";
    print_cluster(out, child, depth + 1);
    out << indent(depth) << "}\n";
  }
}

void Builder::find_steps() {
  place_.assign(items_.size(), StepPlace{});
  for (std::size_t k = 0; k < items_.size(); ++k) {
    const auto parts = components(items_[k].name.empty() ? items_[k].scope : items_[k].name);
    for (std::size_t c = 0; c < parts.size(); ++c)
      if (is_time_component(parts[c])) {
        place_[k] = {true, join(parts, 0, c), std::stoll(std::string(parts[c].substr(2))),
                     c + 1 < parts.size() ? std::string(parts[c + 1]) : std::string()};
        break;
      }
  }
  fed_inside_.assign(items_.size(), false);
  feeds_inside_.assign(items_.size(), false);
  for (const Edge& e : edges_) {
    const StepPlace &a = place_[e.from], &b = place_[e.to];
    if (a.timed && b.timed && a.t == b.t && a.prefix == b.prefix) fed_inside_[e.to] = feeds_inside_[e.from] = true;
  }
}

// An edge from step t to an earlier step of the same recurrence: the reverse direction of a bidirectional layer
// carries its state from t+1 to t. Laid out like the others, it would pull step t after step t+1 against the order
// the invisible edges ask for; it is drawn with constraint=false instead.
bool Builder::against_time(const Edge& e) const {
  const StepPlace &a = place_[e.from], &b = place_[e.to];
  return a.timed && b.timed && a.prefix == b.prefix && a.t > b.t;
}

// Invisible edges that keep time steps in order, left to right. Inside step t+1, the nodes that read only from
// outside the step (slices of shared weights, the step's input) would otherwise be ranked as early as the weights
// themselves, and dot would stack the steps on top of each other. An edge from every last node of step t (one that
// feeds nothing else in its step: h_t) to each of those first nodes puts all of step t+1 after all of step t. Steps
// are ordered by t among those with the same parent scope.
std::vector<std::pair<std::size_t, std::size_t>> Builder::step_order_edges() const {
  std::map<std::pair<std::string, long long>, std::vector<std::size_t>> steps;  // (prefix, t) → items, sorted by t
  for (std::size_t k = 0; k < items_.size(); ++k)
    if (place_[k].timed) steps[{place_[k].prefix, place_[k].t}].push_back(k);
  std::vector<std::pair<std::size_t, std::size_t>> hints;
  for (auto it = steps.begin(); it != steps.end(); ++it) {
    const auto next = std::next(it);
    if (next == steps.end() || next->first.first != it->first.first) continue;
    for (std::size_t last : it->second)
      if (!feeds_inside_[last])
        for (std::size_t first : next->second)
          if (!fed_inside_[first]) hints.emplace_back(last, first);
  }
  return hints;
}

// reverse_row_suffix: each row is a cluster of its own (cluster_for), so the two directions never mix; these
// constraints align them per step and put the forward row above.
//
// Alignment: in every time step holding a scope S and a scope S + suffix, the first nodes of both cells (those with no
// input inside the step) share a rank, and so do the last nodes (no consumer inside the step; not already among the
// first): the two cells of step t start and end at the same x. Both cells have the same structure, so these
// constraints agree with their data edges.
//
// Order: dot has no constraint that says which of two clusters goes above the other. It orders the contents of a
// cluster first by a breadth-first walk from the nodes without inputs, taken in the order of its internal ids (the
// memory addresses of their names: left alone, the rows swap from one process to the next), and inside a cluster the
// first one reached is drawn lowest (in a left-to-right graph). So the backward row gets an invisible node
// (row_anchor_<n>) one rank before its first step, with edges to the first nodes of both rows' first step: it becomes
// the only place that walk can start from, the backward row is reached first and drawn below. (dot's crossing
// reduction could still swap the rows; the graph asks it for fewer passes, mclimit.)
void Builder::print_rows(std::ostream& out) const {
  const std::string& suffix = o_.reverse_row_suffix;
  if (suffix.empty()) return;
  // (prefix, t) → row → items, in tape order.
  std::map<std::pair<std::string, long long>, std::map<std::string, std::vector<std::size_t>>> steps;
  for (std::size_t k = 0; k < items_.size(); ++k)
    if (place_[k].timed && !place_[k].row.empty()) steps[{place_[k].prefix, place_[k].t}][place_[k].row].push_back(k);
  const auto align = [&](const std::vector<std::size_t>& upper, const std::vector<std::size_t>& lower) {
    if (upper.empty() || lower.empty()) return;
    out << "  {rank=same;";
    for (std::size_t k : upper) out << " " << items_[k].id << ";";
    for (std::size_t k : lower) out << " " << items_[k].id << ";";
    out << "}\n";
  };
  std::set<std::size_t> anchored;         // reverse row clusters whose anchor has its edges
  for (const auto& [step, rows] : steps)  // by prefix, then by t: a pair's first step comes first
    for (const auto& [name, reverse] : rows) {
      if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
      const std::string base = name.substr(0, name.size() - suffix.size());
      const auto forward = rows.find(base);
      if (forward == rows.end()) continue;
      std::vector<std::size_t> first[2], last[2];
      const std::vector<std::size_t>* row[2] = {&forward->second, &reverse};
      for (int r = 0; r < 2; ++r)
        for (std::size_t k : *row[r]) {
          if (!fed_inside_[k])
            first[r].push_back(k);
          else if (!feeds_inside_[k])
            last[r].push_back(k);
        }
      align(first[0], first[1]);
      align(last[0], last[1]);
      const auto row_cluster = cluster_index_.find(step.first + "\x1f" + base + "\x1f" + name);
      if (row_cluster != cluster_index_.end() && anchored.insert(row_cluster->second).second)
        for (int r = 0; r < 2; ++r)
          for (std::size_t k : first[r])
            out << "  row_anchor_" << clusters_[row_cluster->second].ordinal << " -> " << items_[k].id
                << " [style=invis];\n";
    }
}

std::string Builder::build() {
  if (o_.collapse_depth < 1)
    throw UsageError("to_dot: collapse_depth must be ≥ 1, got " + std::to_string(o_.collapse_depth));
  make_items();
  check_size();
  if (o_.heat) {
    bool any = false, any_gradient = false;
    for (const Item& item : items_) {
      any_gradient = any_gradient || item.has_grad;
      if (item.has_grad && item.grad_norm > 0) {  // exact zeros have a colour of their own, outside the scale
        const double x = std::log10(item.grad_norm);
        heat_lo_ = any ? std::min(heat_lo_, x) : x;
        heat_hi_ = any ? std::max(heat_hi_, x) : x;
        any = true;
      }
    }
    if (!any_gradient)
      throw UsageError("to_dot: heat colours nodes by their gradient, but no node has one: run backward first");
  }
  make_edges();
  place_items();
  find_steps();

  std::ostringstream out;
  out << "digraph tape {\n"
      << "  graph [rankdir=LR, newrank=true, fontname=\"Helvetica,Arial,sans-serif\", nodesep=0.15, ranksep=0.3";
  if (!o_.title.empty()) out << ", label=" << dot_style::quote(o_.title) << ", labelloc=t, fontsize=16";
  // Rows: dot's crossing-reduction passes now and then swap the two rows when they run long; fewer passes (mclimit
  // scales their number) keep the order the row anchors give (print_rows).
  if (row_clusters_ > 0) out << ", mclimit=0.2";
  out << "];\n"
      << "  node [shape=record, style=\"rounded,filled\", fontname=\"Helvetica,Arial,sans-serif\", fontsize=10, "
         "height=0.3, color=\"#505050\"];\n"
      << "  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=7, fontcolor=\"#707070\", arrowsize=0.6, color=\""
      << dot_style::kEdgeColor << "\"];\n";
  out << "  " << dot_style::legend(o_.heat, heat_lo_, heat_hi_, o_.show_grad_flow);
  print_cluster(out, 0, 1);
  for (const Edge& e : edges_) {
    out << "  " << items_[e.from].id << " -> " << items_[e.to].id;
    std::string attributes;
    if (!e.positions.empty()) {
      std::string positions;
      for (std::size_t k = 0; k < e.positions.size(); ++k) positions += (k ? "," : "") + std::to_string(e.positions[k]);
      attributes += "label=\"" + positions + "\"";
    }
    if (e.from_parameter)
      attributes += std::string(attributes.empty() ? "" : ", ") + "color=\"" + dot_style::kParamEdgeColor + "\"";
    if (against_time(e)) attributes += std::string(attributes.empty() ? "" : ", ") + "constraint=false";
    if (!attributes.empty()) out << " [" << attributes << "]";
    out << ";\n";
  }
  for (const auto& [from, to] : step_order_edges())
    out << "  " << items_[from].id << " -> " << items_[to].id << " [style=invis];\n";
  print_rows(out);
  // Gradient flow: drawn from the consumer back to the input (dir=back) but laid out like the forward edge, so the
  // dashed edge runs alongside the one it reverses.
  if (o_.show_grad_flow)
    for (const Edge& e : edges_)
      if (e.grad)
        out << "  " << items_[e.from].id << " -> " << items_[e.to].id << " [dir=back, style=dashed, color=\""
            << dot_style::kGradColor << "\", arrowsize=0.5" << (against_time(e) ? ", constraint=false" : "") << "];\n";
  out << "}\n";
  return out.str();
}

}  // namespace

std::string to_dot(const Tape& tape, const DotOptions& options) { return Builder(tape, options).build(); }

}  // namespace tapegrad::autograd
