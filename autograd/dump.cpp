// The plain-text dump of a tape: one line per node — index, scope, op(inputs), shape — the twin of the diagrams.
//
//   v0  mlp/layer1  param W1           3×4
//   v2  mlp/layer1  matmul(v1, v0)     2×4
#include <algorithm>
#include <ostream>
#include <sstream>

#include "autograd/node_stats.hpp"
#include "autograd/tape.hpp"

namespace tapegrad::autograd {

namespace {

// The op's small parameters as they appear after its inputs in a label.
std::string params_suffix(const Node& n) {
  switch (n.op) {
    case OpCode::Scale:
    case OpCode::AddScalar:
      return ", " + format_stat(n.params.scalar);
    case OpCode::Slice:
      return ", " + std::to_string(n.params.begin) + ":" + std::to_string(n.params.begin + n.params.width);
    case OpCode::MatMul:
      return std::string(n.params.transpose_a ? ", Aᵀ" : "") + (n.params.transpose_b ? ", Bᵀ" : "");
    case OpCode::Linear:
      return n.params.transpose_b ? ", Wᵀ" : "";
    case OpCode::Select:
      return ", " + std::to_string(n.params.begin);
    case OpCode::RNNCell:
      return n.params.relu ? ", relu" : "";
    case OpCode::Embedding:
    case OpCode::CrossEntropy:
      return ", " + std::to_string(n.n_ids) + " ids";
    default:
      return "";
  }
}

std::string stats(const Node& n, DumpOptions options) {
  std::string s;
  if (options.values && n.shape.numel() > 0) {
    const ValueStats v = value_stats(n);
    s += "  mean=" + format_stat(v.mean) + " max|x|=" + format_stat(v.max_abs);
  }
  if (options.grads && n.grad) s += "  |grad|=" + format_stat(grad_norm(n));
  return s;
}

// Display width of UTF-8 text (counts code points, enough for "×" and "ᵀ").
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void pad(std::ostream& out, const std::string& s, std::size_t width) {
  out << s;
  for (std::size_t w = display_width(s); w < width; ++w) out << ' ';
}

}  // namespace

std::string Tape::label(std::size_t index) const {
  const Node& n = node(index);
  switch (n.op) {
    case OpCode::Parameter:
      return "param " + name_of(n);
    case OpCode::Constant:
    case OpCode::Variable:
      return op_name(n.op);
    default:
      break;
  }
  std::string s = std::string(op_name(n.op)) + "(";
  auto in = inputs(n);
  for (std::size_t k = 0; k < in.size(); ++k) s += (k ? ", v" : "v") + std::to_string(in[k]);
  return s + params_suffix(n) + ")";
}

void Tape::dump(std::ostream& out, DumpOptions options) const {
  std::size_t w_index = 2, w_scope = 1, w_label = 1, w_shape = 1;
  std::vector<std::string> labels(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    labels[i] = label(i);
    w_index = std::max(w_index, display_width("v" + std::to_string(i)));
    w_scope = std::max(w_scope, display_width(scope_of(nodes_[i])));
    w_label = std::max(w_label, display_width(labels[i]));
    w_shape = std::max(w_shape, display_width(nodes_[i].shape.str()));
  }
  const bool with_stats = options.values || options.grads;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    pad(out, "v" + std::to_string(i), w_index + 2);
    pad(out, scope_of(n).empty() ? "-" : scope_of(n), w_scope + 2);
    pad(out, labels[i], w_label + 2);
    if (with_stats)
      pad(out, n.shape.str(), w_shape);
    else
      out << n.shape.str();
    out << stats(n, options) << '\n';
  }
}

std::string Tape::dump(DumpOptions options) const {
  std::ostringstream out;
  dump(out, options);
  return out.str();
}

}  // namespace tapegrad::autograd
