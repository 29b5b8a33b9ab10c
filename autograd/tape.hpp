// The tape (Wengert list): every operation appends one Node, so creation order is a topological order and the
// reverse pass is a single backward loop — no recursion, no sort, no hash set.
//
//   Tape tape;
//   Var W = tape.parameter(w_value, w_grad, "W");      // refers to the parameter's storage, no copy
//   Var x = tape.constant(x_value);                      // copied into the tape, no gradient
//   Var loss = mean(tanh(matmul(x, W)));                 // each op appends a node and computes its value now
//   tape.backward(loss);                                 // w_grad += ∂loss/∂W
//   tape.clear();                                        // next step: same memory, new generation of handles
//
// Gradients accumulate (+=): a value used k times receives the sum of k contributions, which is the multivariable
// chain rule and the reason backpropagation through time needs no special code (see docs/autograd.md).
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "autograd/arena.hpp"
#include "autograd/node.hpp"
#include "autograd/var.hpp"
#include "ops/tensor.hpp"

namespace tapegrad::autograd {

// Watches the reverse pass, for work that overlaps it: data-parallel training starts summing a parameter's
// gradient across processes as soon as backward has finished with it (nn/distributed/gradient_reducer.hpp). A
// parameter's leaf precedes every node that reads it, so once every node from index i upward has run its rule, the
// gradient of every parameter whose leaf index is ≥ i is final.
class BackwardObserver {
 public:
  virtual ~BackwardObserver() = default;
  // Every node with index ≥ i has run its backward rule (called with decreasing i, last with 0).
  virtual void finished_from(std::uint32_t i) = 0;
};

struct DumpOptions {
  bool values = false;  // append mean and max |x| of each value
  bool grads = false;   // append ‖grad‖₂ of each node that has a gradient after backward
};

class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // ---- Leaves ---------------------------------------------------------------------------------------------------
  // A constant: copied into the tape, never receives a gradient.
  Var constant(ConstTensorView value);
  Var full(const Shape& shape, float value);  // a constant filled with one value
  // A variable: copied into the tape, receives a gradient readable with grad() after backward (zeroed by each
  // backward call). What gradcheck differentiates with respect to.
  Var variable(ConstTensorView value);
  // A parameter: the tape refers to value and grad without copying them; backward adds into grad, so gradients
  // accumulate across backward calls until the owner zeroes them. value and grad must outlive the tape's use.
  Var parameter(const float* value, float* grad, const Shape& shape, std::string_view name);
  Var parameter(const Tensor& value, Tensor& grad, std::string_view name);

  // ---- Reverse pass -----------------------------------------------------------------------------------------------
  // Seeds ∂loss/∂loss = 1 and walks the tape backwards. loss must have one element.
  void backward(Var loss);
  // The same for any output with an explicit seed ∂J/∂output (same shape as output): vector-Jacobian product.
  void backward(Var output, ConstTensorView seed);
  // Called during every backward pass until set to nullptr (it must outlive that use).
  void set_backward_observer(BackwardObserver* observer) { observer_ = observer; }
  // Keep the gradient of an interior value readable after backward (∂J/∂h_k for a hidden state, say).
  void retain_grad(Var v);
  // The gradient of a parameter, variable or retained value from the latest backward. Throws UsageError for
  // anything else, and before backward.
  ConstTensorView grad(Var v) const;

  // ---- Lifecycle ---------------------------------------------------------------------------------------------------
  // Forgets every node but keeps the memory (node vector and arenas), and starts a new generation: every Var made
  // before clear() now throws when used. Generations are unique in the process (no two tapes, and no two rounds of
  // one tape, share one), so a cached {tape, index, generation} can never point at another tape's node.
  void clear();
  std::size_t size() const { return nodes_.size(); }
  std::uint32_t generation() const { return generation_; }
  std::size_t node_capacity() const { return nodes_.capacity(); }
  // Memory the tape holds for values (and the data ops save for backward) and for gradients: capacity, which after
  // a few rounds of the same graph is what one round needs.
  std::size_t reserved_bytes() const { return reserved_value_bytes() + reserved_grad_bytes(); }
  std::size_t reserved_value_bytes() const { return values_.reserved_bytes(); }
  std::size_t reserved_grad_bytes() const { return grads_.reserved_bytes(); }

  // ---- Modes and scopes ---------------------------------------------------------------------------------------------
  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool enabled) { grad_enabled_ = enabled; }
  // Lean backward (for training loops; off by default), decided from each op's memory policy in op_list.hpp: a view
  // (select, reshape) receives its gradient directly in the matching part of its source's gradient instead of a
  // buffer of its own, and a node whose only gradient consumer may overwrite its input (cross_entropy) and whose
  // own rule does not read its value receives its gradient in place of its value — for a language model, the
  // logits, the largest buffer of the step, neither allocated twice nor zeroed. The exact rule is written down at
  // Tape::grad_storage_of (tape.cpp). Parameters' and variables' gradients are the same as without it; interior
  // nodes' gradients and the overwritten values differ, so nodes marked retain_grad are left out, and diagrams of
  // values or gradients should be drawn from tapes that are not lean.
  void set_lean(bool lean) { lean_ = lean; }
  bool lean() const { return lean_; }
  // Nodes recorded until pop_scope() carry ".../name" as their scope (an empty name leaves the path as it is).
  void push_scope(std::string_view name);
  void push_root_scope();  // until pop_scope(), nodes are recorded at the top level (no scope)
  void pop_scope();

  // ---- Inspection ---------------------------------------------------------------------------------------------------
  const Node& node(std::size_t index) const { return nodes_.at(index); }
  const Node& node(Var v) const { return nodes_[check(v)]; }
  std::span<const std::uint32_t> inputs(const Node& n) const { return {inputs_.data() + n.first_input, n.n_inputs}; }
  const std::string& scope_of(const Node& n) const { return scope_paths_[n.scope]; }
  const std::string& name_of(const Node& n) const { return names_[n.name]; }
  std::string label(std::size_t index) const;  // "tanh(v5)", "param W", "slice(v3, 0:200)"
  // One line per node: index, scope, op(inputs), shape (and stats if asked).
  void dump(std::ostream& out, DumpOptions options = {}) const;
  std::string dump(DumpOptions options = {}) const;

  // ---- Recording API, for op definitions (autograd/ops_*.cpp) -------------------------------------------------------
  // Throws UsageError unless v is a live handle of this tape; returns its index.
  std::uint32_t check(Var v) const;
  // The tape shared by all inputs of an op (throws UsageError naming the op if they differ or are stale).
  static Tape& common_tape(const char* op, std::span<const Var> inputs);
  // Appends a node with fresh (uninitialised) value storage of the given shape.
  Var record(OpCode op, std::span<const Var> inputs, const Shape& shape, const OpParams& params = {});
  // Appends a node whose value is part of the value of `source` — from float `offset` on, seen with `shape` —
  // without copying it (reshape, detach, select).
  Var record_alias(OpCode op, Var source, const Shape& shape, index_t offset = 0, const OpParams& params = {});
  float* mutable_value(Var v) { return nodes_[check(v)].value; }
  float* save_floats(Var v, std::size_t n);                 // extra floats for v's backward rule
  void save_ids(Var v, std::span<const std::int32_t> ids);  // ids for v's backward rule
  std::int32_t* save_counters(Var v, std::size_t n);        // n zeroed integers the rules of v's consumers update
  // How many backward passes this tape has run (rules tell one pass's bookkeeping from a previous one's by it).
  std::uint32_t backward_passes() const { return backward_passes_; }

 private:
  friend class Var;
  friend class BackwardContext;
  Var append(Node node, std::span<const Var> inputs);
  void run_backward(std::uint32_t output, const float* seed);
  GradStorage grad_storage_of(std::uint32_t index) const;  // during run_backward, after the needs-grad pass

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> inputs_;
  Arena values_;           // node values and saved data; reset by clear()
  Arena grads_;            // gradients of interior nodes and variables; reset by each backward and by clear()
  Arena scratch_;          // temporaries of one backward rule; reset before each rule runs
  Arena forward_scratch_;  // save_floats of nodes without gradient; reset at each record()
  std::vector<std::uint8_t> needs_grad_;  // scratch of the needs-grad pass, kept for its capacity
  // Lean backward: how many input slots of gradient-needing nodes read each node, and the last such node.
  std::vector<std::uint32_t> consumers_;
  std::vector<std::uint32_t> consumer_;
  // Interned strings, kept across clear() (their number is bounded by the distinct scopes and names a program
  // uses), and looked up by string_view: recording the same graph again allocates nothing.
  struct StringViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Interned = std::unordered_map<std::string, std::uint32_t, StringViewHash, std::equal_to<>>;
  std::vector<std::string> scope_paths_;  // [0] = "" (top level)
  std::vector<Interned> scope_children_;  // per scope: child name → index in scope_paths_
  std::vector<std::uint32_t> scope_stack_;
  std::vector<std::string> names_;  // [0] = "" (unnamed)
  Interned name_index_;             // name → index in names_
  std::uint32_t generation_;
  bool grad_enabled_ = true;
  bool lean_ = false;
  std::uint32_t backward_passes_ = 0;
  bool has_grads_ = false;
  BackwardObserver* observer_ = nullptr;
};

// RAII: records nodes under a named scope ("lstm0", "t=3", "forget_gate") while alive. Scopes nest into paths.
class ScopeGuard {
 public:
  ScopeGuard(Tape& tape, std::string_view name) : tape_(tape) { tape_.push_scope(name); }
  ~ScopeGuard() { tape_.pop_scope(); }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  Tape& tape_;
};

// RAII: while alive, new nodes do not require gradients (values are computed, backward skips them) — for
// evaluation and generation.
class NoGradGuard {
 public:
  explicit NoGradGuard(Tape& tape) : tape_(tape), previous_(tape.grad_enabled()) { tape_.set_grad_enabled(false); }
  ~NoGradGuard() { tape_.set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  Tape& tape_;
  bool previous_;
};

}  // namespace tapegrad::autograd
