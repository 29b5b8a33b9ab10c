// The tape: recording nodes, the reverse pass, clear(), scopes and gradient access.
#include "autograd/tape.hpp"

#include <atomic>
#include <cassert>
#include <cstring>

#include "autograd/backward_rules.hpp"
#include "ops/elementwise.hpp"
#include "ops/error.hpp"

namespace tapegrad::autograd {

const char* op_name(OpCode op) {
  switch (op) {
#define TAPEGRAD_OP_NAME(code, name, ...) \
  case OpCode::code:                      \
    return name;
    TAPEGRAD_OPS(TAPEGRAD_OP_NAME)
#undef TAPEGRAD_OP_NAME
  }
  return "?";
}

namespace {
std::string var_name(std::uint32_t index) { return "v" + std::to_string(index); }

std::uint32_t new_generation() {
  static std::atomic<std::uint32_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

// ---- Var ------------------------------------------------------------------------------------------------------------

Tape& Var::tape() const {
  if (!tape_) throw UsageError("Var: use of an empty handle (default-constructed Var)");
  tape_->check(*this);
  return *tape_;
}
Shape Var::shape() const { return tape().nodes_[index_].shape; }
ConstTensorView Var::value() const {
  const Node& n = tape().nodes_[index_];
  return {n.value, n.shape};
}
float Var::item() const {
  ConstTensorView v = value();
  if (v.numel() != 1)
    throw UsageError("Var::item: " + var_name(index_) + " has shape " + v.shape.str() + ", not a single element");
  return v[0];
}

// ---- Tape: recording ------------------------------------------------------------------------------------------------

Tape::Tape() : scope_paths_{""}, scope_children_(1), scope_stack_{0}, names_{""}, generation_(new_generation()) {}

std::uint32_t Tape::check(Var v) const {
  if (v.tape_ != this)
    throw UsageError(v.tape_ ? "Var " + var_name(v.index_) + " belongs to another tape"
                             : std::string("Var: use of an empty handle (default-constructed Var)"));
  if (v.generation_ != generation_)
    throw UsageError("Var " + var_name(v.index_) + " is stale: it was recorded before tape.clear() (generation " +
                     std::to_string(v.generation_) + ", tape now at generation " + std::to_string(generation_) + ")");
  return v.index_;
}

Tape& Tape::common_tape(const char* op, std::span<const Var> inputs) {
  if (inputs.empty()) throw UsageError(std::string(op) + ": needs at least one input");
  Tape& tape = inputs[0].tape();
  for (const Var& v : inputs) {
    if (v.tape_ != &tape)
      throw UsageError(std::string(op) + ": inputs come from different tapes (" + var_name(inputs[0].index_) + " and " +
                       var_name(v.index_) + ")");
    tape.check(v);
  }
  return tape;
}

Var Tape::append(Node node, std::span<const Var> inputs) {
  node.scope = scope_stack_.back();
  node.first_input = static_cast<std::uint32_t>(inputs_.size());
  node.n_inputs = static_cast<std::uint32_t>(inputs.size());
  bool any_input_requires_grad = false;
  for (const Var& v : inputs) {
    std::uint32_t i = check(v);
    assert(i < nodes_.size() && "a live handle indexes an existing node");
    inputs_.push_back(i);
    any_input_requires_grad = any_input_requires_grad || nodes_[i].requires_grad;
  }
  if (!is_leaf(node.op)) node.requires_grad = grad_enabled_ && any_input_requires_grad;
  auto index = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back(node);
  return Var(this, index, generation_);
}

Var Tape::record(OpCode op, std::span<const Var> inputs, const Shape& shape, const OpParams& params) {
  assert(!op_policy(op).view && "a view is recorded with record_alias (op_list.hpp)");
  forward_scratch_.reset();  // the previous op's working memory is free again
  Node node;
  node.op = op;
  node.shape = shape;
  node.params = params;
  node.value = values_.floats(static_cast<std::size_t>(shape.numel()));
  return append(node, inputs);
}

Var Tape::record_alias(OpCode op, Var source, const Shape& shape, index_t offset, const OpParams& params) {
  const Node& src = nodes_[check(source)];
  assert(op_policy(op).view && "record_alias records the ops op_list.hpp declares views");
  assert(offset >= 0 && offset + shape.numel() <= src.shape.numel() && "an alias must lie inside its source");
  Node node;
  node.op = op;
  node.shape = shape;
  node.params = params;
  node.value = src.value + offset;
  return append(node, std::span<const Var>(&source, 1));
}

float* Tape::save_floats(Var v, std::size_t n) {
  Node& node = nodes_[check(v)];
  if (!node.requires_grad) {  // no backward will read them: working memory for this op's forward only
    node.saved = nullptr;
    return forward_scratch_.floats(n);
  }
  float* p = values_.floats(n);
  node.saved = p;
  return p;
}

void Tape::save_ids(Var v, std::span<const std::int32_t> ids) {
  std::int32_t* p = values_.ints(ids.size());
  if (!ids.empty()) std::memcpy(p, ids.data(), ids.size_bytes());
  Node& n = nodes_[check(v)];
  n.ids = p;
  n.n_ids = static_cast<index_t>(ids.size());
}

std::int32_t* Tape::save_counters(Var v, std::size_t n) {
  std::int32_t* p = values_.ints(n);
  std::fill(p, p + n, 0);
  nodes_[check(v)].counters = p;
  return p;
}

// ---- Tape: leaves ---------------------------------------------------------------------------------------------------

Var Tape::constant(ConstTensorView value) {
  Node node;
  node.op = OpCode::Constant;
  node.shape = value.shape;
  node.value = values_.floats(static_cast<std::size_t>(value.numel()));
  if (value.numel() > 0) std::memcpy(node.value, value.data, static_cast<std::size_t>(value.numel()) * sizeof(float));
  return append(node, {});
}

Var Tape::full(const Shape& shape, float value) {
  Node node;
  node.op = OpCode::Constant;
  node.shape = shape;
  node.value = values_.floats(static_cast<std::size_t>(shape.numel()));
  ops::fill(shape.numel(), value, node.value);
  return append(node, {});
}

Var Tape::variable(ConstTensorView value) {
  Var v = constant(value);
  Node& n = nodes_.back();
  n.op = OpCode::Variable;
  n.requires_grad = grad_enabled_;
  return v;
}

Var Tape::parameter(const float* value, float* grad, const Shape& shape, std::string_view name) {
  if (!value || (!grad && shape.numel() > 0))
    throw UsageError("parameter '" + std::string(name) + "': value and gradient storage must not be null");
  Node node;
  node.op = OpCode::Parameter;
  node.shape = shape;
  node.value = const_cast<float*>(value);  // the tape never writes a value it did not allocate
  node.param_grad = grad;                  // the parameter's own gradient buffer; backward adds into it
  node.requires_grad = grad_enabled_;
  auto found = name_index_.find(name);
  if (found == name_index_.end()) {
    found = name_index_.emplace(std::string(name), static_cast<std::uint32_t>(names_.size())).first;
    names_.emplace_back(name);
  }
  node.name = found->second;
  return append(node, {});
}

Var Tape::parameter(const Tensor& value, Tensor& grad, std::string_view name) {
  if (value.shape() != grad.shape())
    throw ShapeError("parameter '" + std::string(name) + "': value is " + value.shape().str() + " but gradient is " +
                     grad.shape().str());
  return parameter(value.data(), grad.data(), value.shape(), name);
}

// ---- Tape: reverse pass ---------------------------------------------------------------------------------------------

void Tape::backward(Var loss) {
  std::uint32_t i = check(loss);
  if (nodes_[i].shape.numel() != 1)
    throw UsageError("backward: " + var_name(i) + " (" + op_name(nodes_[i].op) + ") has shape " +
                     nodes_[i].shape.str() +
                     "; backward without a seed needs a one-element loss (use backward(output, seed))");
  const float one = 1.0f;
  run_backward(i, &one);
}

void Tape::backward(Var output, ConstTensorView seed) {
  std::uint32_t i = check(output);
  if (seed.shape.numel() != nodes_[i].shape.numel())
    throw ShapeError("backward: seed of shape " + seed.shape.str() + " for " + var_name(i) + " (" +
                     op_name(nodes_[i].op) + ") of shape " + nodes_[i].shape.str());
  run_backward(i, seed.data);
}

void Tape::run_backward(std::uint32_t output, const float* seed) {
  if (!nodes_[output].requires_grad)
    throw UsageError("backward: " + var_name(output) + " (" + op_name(nodes_[output].op) +
                     ") does not depend on any parameter or variable that requires a gradient");

  // Needs-grad pass: a node gets a gradient if it lies on a path from a gradient-requiring leaf to the output. Lean,
  // it also counts each node's gradient consumers: the input slots of gradient-needing nodes that read it.
  ++backward_passes_;
  needs_grad_.assign(output + 1, 0);
  needs_grad_[output] = 1;
  if (lean_) {
    consumers_.assign(output + 1, 0);
    consumer_.assign(output + 1, 0);
  }
  for (std::uint32_t i = output + 1; i-- > 0;) {
    if (!needs_grad_[i]) continue;
    for (std::uint32_t in : inputs(nodes_[i]))
      if (nodes_[in].requires_grad) {
        needs_grad_[in] = 1;
        if (lean_) {
          ++consumers_[in];
          consumer_[in] = i;
        }
      }
  }

  // Gradient buffers (grad_storage_of says which kind; the arena ones are zeroed here, once).
  grads_.reset();
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    n.grad = nullptr;
    n.grad_storage = i <= output && needs_grad_[i] ? grad_storage_of(i) : GradStorage::None;
    switch (n.grad_storage) {
      case GradStorage::None:
        break;
      case GradStorage::Own:
        n.grad = grads_.floats(static_cast<std::size_t>(n.shape.numel()));
        ops::fill(n.shape.numel(), 0.0f, n.grad);
        break;
      case GradStorage::Parameter:
        n.grad = n.param_grad;
        break;
      case GradStorage::Source: {
        const Node& source = nodes_[inputs_[n.first_input]];
        assert(source.grad && "a view's source precedes it and needs a gradient too");
        n.grad = source.grad + (n.value - source.value);  // the view's elements within its source
        break;
      }
      case GradStorage::Value:
        n.grad = n.value;  // written, not added, by its one consumer's rule, which reads each element first
        break;
    }
  }
  Node& out = nodes_[output];
  assert(out.grad && "the output of backward must have received a gradient buffer");
  ops::axpy(out.shape.numel(), 1.0f, seed, out.grad);

  // Reverse loop: each rule adds its inputs' shares of ∂J/∂y into their gradient buffers.
  for (std::uint32_t i = output + 1; i-- > 0;) {
    if (observer_ != nullptr) observer_->finished_from(i + 1);
    const Node& n = nodes_[i];
    if (!n.grad || is_leaf(n.op)) continue;
    if (n.grad_storage == GradStorage::Source) continue;  // a lean view: its gradient already is its source's
    scratch_.reset();
    BackwardContext ctx(*this, n);
    switch (n.op) {
#define TAPEGRAD_DISPATCH(code, ...) \
  case OpCode::code:                 \
    backward_##code(ctx);            \
    break;
      TAPEGRAD_OPS(TAPEGRAD_DISPATCH)
#undef TAPEGRAD_DISPATCH
    }
  }
  if (observer_ != nullptr) observer_->finished_from(0);
  has_grads_ = true;
}

// Where the gradient of node i (which needs one) lives. A parameter adds into its own buffer; otherwise, without
// lean mode, every node gets a zeroed buffer of the gradient arena. Lean mode changes two cases, decided from the
// op table's policy columns (op_list.hpp) alone — no op is named here:
//
//   Source  a view (policy view) that is not retain_grad: its gradient is the matching part of its source's
//           gradient buffer, so its consumers add straight into the source's gradient and the view's own rule
//           (gx += gy) is skipped. A retained view keeps a buffer of its own, which then holds exactly ∂J/∂view.
//   Value   a node whose gradient may take the storage of its own value, because nothing will read that value
//           again in this backward pass. All of these must hold:
//             - the value is storage of the node's own: not a leaf (a parameter's or variable's value belongs to
//               its owner) and not a view (its value is another node's);
//             - it is not retain_grad (a retained node is inspected after backward: its value stays intact);
//             - its own rule does not read its value (policy reads_output = no): that rule runs after the
//               consumer has written the gradient there;
//             - exactly one input slot of one gradient-needing node reads it — no second consumer reads the value
//               or adds into the gradient — and that slot is input 0 of an op whose policy says
//               overwrites_input: its rule reads each element of the value before writing the gradient over it,
//               and writes (=) rather than adds, told so by BackwardContext::input_grad_replaces_value(0).
//           The buffer is then neither allocated nor zeroed. In a language model's training step this is the
//           logits (linear → cross_entropy), the largest buffer of the step.
// After a lean backward the values of Value nodes (and of views of them) hold gradients, and interior gradients
// other than retained ones are not meaningful on their own; parameters' and variables' gradients are the same as
// without lean (up to the order in which contributions through a view are summed).
GradStorage Tape::grad_storage_of(std::uint32_t i) const {
  const Node& n = nodes_[i];
  if (n.op == OpCode::Parameter) return GradStorage::Parameter;
  if (!lean_ || n.retain_grad) return GradStorage::Own;
  const OpPolicy& policy = op_policy(n.op);
  if (policy.view) return GradStorage::Source;
  if (is_leaf(n.op) || policy.reads_output || consumers_[i] != 1) return GradStorage::Own;
  const Node& consumer = nodes_[consumer_[i]];
  const bool overwrites = op_policy(consumer.op).overwrites_input && inputs_[consumer.first_input] == i;
  return overwrites ? GradStorage::Value : GradStorage::Own;
}

void Tape::retain_grad(Var v) { nodes_[check(v)].retain_grad = true; }

ConstTensorView Tape::grad(Var v) const {
  const Node& n = nodes_[check(v)];
  const bool readable = n.op == OpCode::Parameter || n.op == OpCode::Variable || n.retain_grad;
  if (!readable)
    throw UsageError("grad: " + var_name(v.index_) + " (" + op_name(n.op) +
                     ") is an interior value; call tape.retain_grad() on it before backward to read its gradient");
  if (!has_grads_) throw UsageError("grad: " + var_name(v.index_) + " has no gradient yet: call backward first");
  if (!n.grad)
    throw UsageError("grad: " + var_name(v.index_) + " (" + op_name(n.op) +
                     ") received no gradient: the output of the last backward does not depend on it");
  return {n.grad, n.shape};
}

// ---- Tape: lifecycle and scopes -------------------------------------------------------------------------------------

void Tape::clear() {
  nodes_.clear();
  inputs_.clear();
  values_.reset();
  grads_.reset();
  generation_ = new_generation();
  has_grads_ = false;
}

void Tape::push_scope(std::string_view name) {
  if (name.empty()) {  // adds nothing to the path (lets callers pass an optional scope name)
    scope_stack_.push_back(scope_stack_.back());
    return;
  }
  const std::uint32_t parent = scope_stack_.back();
  auto found = scope_children_[parent].find(name);
  if (found == scope_children_[parent].end()) {
    const auto index = static_cast<std::uint32_t>(scope_paths_.size());
    const std::string& parent_path = scope_paths_[parent];
    scope_paths_.push_back(parent_path.empty() ? std::string(name) : parent_path + "/" + std::string(name));
    scope_children_.emplace_back();
    found = scope_children_[parent].emplace(std::string(name), index).first;
  }
  scope_stack_.push_back(found->second);
}

void Tape::push_root_scope() { scope_stack_.push_back(0); }

void Tape::pop_scope() {
  if (scope_stack_.size() == 1) throw UsageError("pop_scope: no scope is open");
  scope_stack_.pop_back();
}

}  // namespace tapegrad::autograd

namespace tapegrad::autograd {
// Leaves have no inputs, hence nothing to propagate; the reverse loop never calls these.
void backward_Constant(const BackwardContext&) {}
void backward_Variable(const BackwardContext&) {}
void backward_Parameter(const BackwardContext&) {}
}  // namespace tapegrad::autograd
