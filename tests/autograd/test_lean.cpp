// Lean backward (Tape::set_lean): which gradient takes which storage — a view shares its source's gradient, a node
// whose only consumer is a cross_entropy and whose own rule does not read its value gets its gradient written over
// that value — and that the leaves' gradients come out exactly as without lean mode. Each expectation below is
// worked out from the op's backward formula, not read from the op table, so a wrong policy line or a wrong rule in
// the tape fails here.
#include <boost/test/unit_test.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::away_from_zero;
using tapegrad::testing::uniform_tensor;

namespace {

using Build = std::function<Var(std::span<const Var>)>;

// Targets for the rows of a (rows × cols) value, spread over the columns.
std::vector<std::int32_t> targets_for(const Shape& s) {
  std::vector<std::int32_t> t(static_cast<std::size_t>(s.rows()));
  for (std::size_t r = 0; r < t.size(); ++r) t[r] = static_cast<std::int32_t>((7 * r + 3) % s.cols());
  return t;
}

// Index of the first element where a and b differ bit for bit (as floats), or -1.
index_t first_difference(ConstTensorView a, ConstTensorView b) {
  if (a.numel() != b.numel()) return 0;
  for (index_t i = 0; i < a.numel(); ++i)
    if (!(a[i] == b[i])) return i;
  return -1;
}

void expect_same(ConstTensorView a, ConstTensorView b, const std::string& what) {
  const index_t i = first_difference(a, b);
  BOOST_TEST(i == -1, what << " differs at element " << i << ": " << (i >= 0 && i < a.numel() ? a[i] : 0.0f) << " vs "
                           << (i >= 0 && i < b.numel() ? b[i] : 0.0f));
}

// One backward of J = cross_entropy(y) (+ extra(y) when given), y = build(variables), lean or not.
struct Outcome {
  std::vector<Tensor> grads;  // ∂J/∂ each variable
  Tensor y_before;            // y's value before backward
  Tensor y_after;             // … and after
  Tensor gy;                  // ∂J/∂y (not lean: y is retained)
  GradStorage storage = GradStorage::None;
  bool grad_is_value = false;  // y's gradient pointer is its value pointer
};

Outcome run(bool lean, const Build& build, const std::vector<Tensor>& inputs,
            const std::function<Var(Var)>& extra = nullptr) {
  Tape tape;
  tape.set_lean(lean);
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.push_back(tape.variable(t));
  const Var y = build(vars);
  if (!lean) tape.retain_grad(y);
  const std::vector<std::int32_t> targets = targets_for(y.shape());
  Var J = cross_entropy(y, targets);
  if (extra) J = J + extra(y);
  Outcome o;
  o.y_before = y.to_tensor();
  tape.backward(J);
  for (const Var& v : vars) o.grads.emplace_back(tape.grad(v));
  o.y_after = y.to_tensor();
  if (!lean) o.gy = Tensor(tape.grad(y));
  o.storage = tape.node(y).grad_storage;
  o.grad_is_value = tape.node(y).grad == tape.node(y).value;
  return o;
}

// Lean and plain backward agree on every variable's gradient, bit for bit; the plain run gives y a buffer of its own.
void expect_same_gradients(const Outcome& lean, const Outcome& plain, const std::string& what) {
  BOOST_TEST_REQUIRE(lean.grads.size() == plain.grads.size());
  for (std::size_t k = 0; k < lean.grads.size(); ++k)
    expect_same(lean.grads[k], plain.grads[k], what + ": ∂J/∂input " + std::to_string(k));
  BOOST_TEST((plain.storage == GradStorage::Own), what << ": without lean mode y has a gradient buffer of its own");
}

struct Case {
  std::string name;
  Build build;
  std::vector<Tensor> inputs;
  GradStorage expected;  // where y's gradient lives in lean mode
};

std::vector<Case> single_consumer_cases() {
  std::mt19937 rng(41);
  const auto u = [&](Shape s, float lo = -1.0f, float hi = 1.0f) { return uniform_tensor(s, rng, lo, hi); };
  const Shape m{6, 5};
  const std::vector<std::int32_t> ids = {4, 0, 4, 2, 1, 3};
  const GradStorage Value = GradStorage::Value, Own = GradStorage::Own, Source = GradStorage::Source;
  // Own: the rule reads y (tanh, sigmoid, exp, softmax, log_softmax: gx from y; div: gb from y; rnn_cell: the
  // activation's derivative from h'). Value: the rule needs only gy and the inputs. Source: a view.
  return {
      {"add", [](auto v) { return add(v[0], v[1]); }, {u(m), u(m)}, Value},
      {"sub", [](auto v) { return sub(v[0], v[1]); }, {u(m), u(m)}, Value},
      {"mul", [](auto v) { return mul(v[0], v[1]); }, {u(m), u(m)}, Value},
      {"div", [](auto v) { return div(v[0], v[1]); }, {u(m), away_from_zero(m, rng, 0.5f, 2.0f)}, Own},
      {"neg", [](auto v) { return neg(v[0]); }, {u(m)}, Value},
      {"scale", [](auto v) { return scale(v[0], -1.5f); }, {u(m)}, Value},
      {"add_scalar", [](auto v) { return add_scalar(v[0], 0.25f); }, {u(m)}, Value},
      {"tanh", [](auto v) { return tanh(v[0]); }, {u(m, -2, 2)}, Own},
      {"sigmoid", [](auto v) { return sigmoid(v[0]); }, {u(m, -3, 3)}, Own},
      {"relu", [](auto v) { return relu(v[0]); }, {away_from_zero(m, rng, 0.1f, 2.0f)}, Value},
      {"exp", [](auto v) { return exp(v[0]); }, {u(m)}, Own},
      {"log", [](auto v) { return log(v[0]); }, {u(m, 0.5f, 2.0f)}, Value},
      {"add_bias", [](auto v) { return add_bias(v[0], v[1]); }, {u(m), u(Shape{5})}, Value},
      {"matmul", [](auto v) { return matmul(v[0], v[1]); }, {u(Shape{6, 3}), u(Shape{3, 5})}, Value},
      {"matmul Aᵀ Bᵀ", [](auto v) { return matmul(v[0], v[1], true, true); }, {u(Shape{3, 6}), u(Shape{5, 3})}, Value},
      {"linear", [](auto v) { return linear(v[0], v[1], v[2]); }, {u(Shape{6, 3}), u(Shape{3, 5}), u(Shape{5})}, Value},
      {"linear Wᵀ",
       [](auto v) { return linear(v[0], v[1], v[2], true); },
       {u(Shape{6, 3}), u(Shape{5, 3}), u(Shape{5})},
       Value},
      {"transpose", [](auto v) { return transpose(v[0]); }, {u(Shape{5, 6})}, Value},
      {"concat",
       [](auto v) {
         return concat({v[0], v[1]});
       },
       {u(Shape{6, 2}), u(Shape{6, 3})},
       Value},
      {"slice", [](auto v) { return slice(v[0], 1, 5); }, {u(Shape{6, 7})}, Value},
      {"stack",
       [](auto v) {
         return stack({v[0], v[1]});
       },
       {u(m), u(m)},
       Value},
      {"embedding", [ids](auto v) { return embedding(v[0], ids); }, {u(Shape{5, 4})}, Value},
      {"where_rows",
       [](auto v) {
         static const std::int32_t mask[] = {1, 0, 1, 0, 0, 1};
         return where_rows(mask, v[0], v[1]);
       },
       {u(m), u(m)},
       Value},
      {"time_mean",
       [](auto v) {
         static const std::int32_t lengths[] = {3, 1};
         return time_mean(v[0], lengths);
       },
       {u(Shape{3, 2, 5})},
       Value},
      {"time_max",
       [](auto v) {
         static const std::int32_t lengths[] = {2, 3};
         return time_max(v[0], lengths);
       },
       {u(Shape{3, 2, 5})},
       Value},
      {"softmax", [](auto v) { return softmax(v[0]); }, {u(m, -2, 2)}, Own},
      {"log_softmax", [](auto v) { return log_softmax(v[0]); }, {u(m, -2, 2)}, Own},
      {"select", [](auto v) { return select(v[0], 1); }, {u(Shape{3, 6, 5})}, Source},
      {"reshape",
       [](auto v) {
         return reshape(v[0], Shape{6, 5});
       },
       {u(Shape{5, 6})},
       Source},
      {"rnn_cell",
       [](auto v) { return rnn_cell(v[0], v[1], v[2], v[3], v[4]); },
       {u(Shape{2, 3}), u(Shape{2, 4}), u(Shape{3, 4}), u(Shape{4, 4}), u(Shape{4})},
       Own},
      {"lstm_cell",
       [](auto v) { return lstm_cell(v[0], v[1], v[2], v[3], v[4], v[5]); },
       {u(Shape{2, 3}), u(Shape{2, 4}), u(Shape{2, 4}), u(Shape{3, 16}), u(Shape{4, 16}), u(Shape{16})},
       Value},
      {"lstm_cell_projected",
       [](auto v) { return lstm_cell_projected(v[0], v[1], v[2], v[3]); },
       {u(Shape{2, 16}), u(Shape{2, 4}), u(Shape{2, 4}), u(Shape{4, 16})},
       Value},
      {"gru_cell",
       [](auto v) { return gru_cell(v[0], v[1], v[2], v[3], v[4]); },
       {u(Shape{2, 3}), u(Shape{2, 4}), u(Shape{3, 12}), u(Shape{4, 12}), u(Shape{12})},
       Value},
      {"gru_cell_reset_after",
       [](auto v) { return gru_cell_reset_after(v[0], v[1], v[2], v[3], v[4], v[5]); },
       {u(Shape{2, 3}), u(Shape{2, 4}), u(Shape{3, 12}), u(Shape{4, 12}), u(Shape{12}), u(Shape{4})},
       Value},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lean)

// Each op with a cross_entropy as its only consumer: y's gradient takes y's storage exactly when y's own rule does
// not read y; a rule that reads y keeps it intact (else that rule would read the gradient, and the inputs' gradients
// would come out wrong); a view shares its source's gradient and keeps its value.
BOOST_AUTO_TEST_CASE(each_op_feeding_cross_entropy_gets_the_storage_its_rule_allows) {
  for (const Case& c : single_consumer_cases()) {
    const Outcome plain = run(false, c.build, c.inputs), lean = run(true, c.build, c.inputs);
    expect_same_gradients(lean, plain, c.name);
    BOOST_TEST((lean.storage == c.expected), c.name << ": lean storage " << static_cast<int>(lean.storage)
                                                    << ", expected " << static_cast<int>(c.expected));
    if (c.expected == GradStorage::Value) {
      BOOST_TEST(lean.grad_is_value, c.name);
      expect_same(lean.y_after, plain.gy, c.name + ": y's storage after lean backward holds ∂J/∂y");
    } else {
      BOOST_TEST(!lean.grad_is_value, c.name);
      expect_same(lean.y_after, lean.y_before, c.name + ": y's value is intact after lean backward");
    }
  }
}

// The logits of a language model (linear, or matmul + add_bias) with a second consumer: the gradient may not replace
// them — the second rule reads them, or adds into their gradient.
BOOST_AUTO_TEST_CASE(a_producer_with_two_consumers_keeps_its_value) {
  std::mt19937 rng(42);
  const std::vector<Tensor> in = {uniform_tensor(Shape{6, 3}, rng), uniform_tensor(Shape{3, 5}, rng),
                                  uniform_tensor(Shape{5}, rng)};
  const Build logits = [](auto v) { return linear(v[0], v[1], v[2]); };
  const std::pair<const char*, std::function<Var(Var)>> second[] = {
      {"+ sum(tanh(y))", [](Var y) { return sum(tanh(y)); }},  // reads y
      {"+ sum(y)", [](Var y) { return sum(y); }},              // only adds into ∂J/∂y
      {"+ cross_entropy(y)", [](Var y) { return cross_entropy(y, targets_for(y.shape())); }},  // two overwriters
  };
  for (const auto& [name, extra] : second) {
    const Outcome plain = run(false, logits, in, extra), lean = run(true, logits, in, extra);
    expect_same_gradients(lean, plain, std::string("linear ") + name);
    BOOST_TEST((lean.storage == GradStorage::Own), name);
    expect_same(lean.y_after, lean.y_before, std::string("linear ") + name + ": y intact");
  }
}

// retain_grad: the user reads this node after backward, so it keeps its value and a gradient of its own — logits as
// well as views.
BOOST_AUTO_TEST_CASE(retain_grad_disables_sharing) {
  std::mt19937 rng(43);
  const Tensor x = uniform_tensor(Shape{3, 4, 5}, rng), w = uniform_tensor(Shape{5, 6}, rng);
  const Tensor b = uniform_tensor(Shape{6}, rng);
  struct Out {
    Tensor gx, g_logits, g_view, logits_after, logits_before;
    GradStorage logits_storage, view_storage;
  };
  const auto step = [&](bool lean) {
    Tape tape;
    tape.set_lean(lean);
    const Var vx = tape.variable(x), vw = tape.variable(w), vb = tape.variable(b);
    const Var h = tanh(vx);
    const Var view = select(h, 1);            // 4×5
    const Var logits = linear(view, vw, vb);  // 4×6, consumed only by cross_entropy
    tape.retain_grad(view);
    tape.retain_grad(logits);
    const Tensor before = logits.to_tensor();
    tape.backward(cross_entropy(logits, targets_for(logits.shape())));
    return Out{Tensor(tape.grad(vx)),
               Tensor(tape.grad(logits)),
               Tensor(tape.grad(view)),
               logits.to_tensor(),
               before,
               tape.node(logits).grad_storage,
               tape.node(view).grad_storage};
  };
  const Out plain = step(false), lean = step(true);
  BOOST_TEST((lean.logits_storage == GradStorage::Own));
  BOOST_TEST((lean.view_storage == GradStorage::Own));
  expect_same(lean.logits_after, lean.logits_before, "retained logits: value intact");
  expect_same(lean.g_logits, plain.g_logits, "retained logits: ∂J/∂logits");
  expect_same(lean.g_view, plain.g_view, "retained view: ∂J/∂view");
  expect_same(lean.gx, plain.gx, "∂J/∂x");
}

// A view of a view (select of a select, reshape of a select) shares the gradient of the first source, at the right
// offset; gradients arrive where they belong and nowhere else.
BOOST_AUTO_TEST_CASE(a_view_of_a_view_shares_its_first_sources_gradient) {
  std::mt19937 rng(44);
  const Tensor x = uniform_tensor(Shape{3, 4, 5}, rng), c = uniform_tensor(Shape{5}, rng);
  struct Out {
    Tensor gx;
    GradStorage s1 = GradStorage::None, s2 = GradStorage::None, s3 = GradStorage::None;
    std::ptrdiff_t offset2 = 0, offset3 = 0;  // where the views' gradients start within h's
  };
  const auto step = [&](bool lean) {
    Tape tape;
    tape.set_lean(lean);
    const Var vx = tape.variable(x), vc = tape.variable(c);
    const Var h = tanh(vx);                    // 3×4×5, a buffer of its own
    const Var row = select(h, 2);              // 4×5, elements [40, 60) of h
    const Var item = select(row, 1);           // 5, elements [45, 50)
    const Var flat = reshape(row, Shape{20});  // 20, elements [40, 60)
    const Var J = sum(mul(item, vc)) + sum(tanh(flat)) + sum(tanh(select(h, 0)));
    tape.backward(J);
    Out o{Tensor(tape.grad(vx)), tape.node(row).grad_storage, tape.node(item).grad_storage,
          tape.node(flat).grad_storage};
    if (lean) {  // the views' gradients point into h's buffer
      o.offset2 = tape.node(item).grad - tape.node(h).grad;
      o.offset3 = tape.node(flat).grad - tape.node(h).grad;
    }
    return o;
  };
  const Out plain = step(false), lean = step(true);
  BOOST_TEST((lean.s1 == GradStorage::Source && lean.s2 == GradStorage::Source && lean.s3 == GradStorage::Source));
  BOOST_TEST(lean.offset2 == 45);
  BOOST_TEST(lean.offset3 == 40);
  BOOST_TEST((plain.s1 == GradStorage::Own && plain.s2 == GradStorage::Own && plain.s3 == GradStorage::Own));
  // Row 2 of h receives two contributions, summed in another order when lean: equal to rounding.
  for (index_t i = 0; i < x.numel(); ++i)
    BOOST_TEST(lean.gx[i] == plain.gx[i], "∂J/∂x[" << i << "]" << boost::test_tools::tolerance(1e-6f));
  for (index_t i = 20; i < 40; ++i) BOOST_TEST(lean.gx[i] == 0.0f, "row 1 is used by nothing: ∂J/∂x[" << i << "]");
}

// Leaves keep their storage: a variable's value is the user's data, a parameter's gradient is its owner's buffer,
// which backward adds into (even lean, even as the only input of a cross_entropy).
BOOST_AUTO_TEST_CASE(leaves_never_give_up_their_value) {
  std::mt19937 rng(45);
  const Tensor logits = uniform_tensor(Shape{4, 5}, rng);
  const std::vector<std::int32_t> targets = targets_for(logits.shape());
  Tensor plain_grad;
  {
    Tape tape;
    const Var v = tape.variable(logits);
    tape.backward(cross_entropy(v, targets));
    plain_grad = Tensor(tape.grad(v));
  }
  Tape tape;
  tape.set_lean(true);
  const Var v = tape.variable(logits);
  tape.backward(cross_entropy(v, targets));
  BOOST_TEST((tape.node(v).grad_storage == GradStorage::Own));
  expect_same(v.value(), logits, "variable value after lean backward");
  expect_same(tape.grad(v), plain_grad, "variable gradient");

  Tensor w = logits, gw(logits.shape(), 1.0f);  // the owner's gradient already holds 1 everywhere
  tape.clear();
  const Var p = tape.parameter(w, gw, "W");
  tape.backward(cross_entropy(p, targets));
  BOOST_TEST((tape.node(p).grad_storage == GradStorage::Parameter));
  expect_same(w, logits, "parameter value after lean backward");
  for (index_t i = 0; i < gw.numel(); ++i) BOOST_TEST(gw[i] == 1.0f + plain_grad[i], "parameter gradient adds: " << i);
}

// A view between the producer and the cross_entropy: the view shares the producer's gradient, and the producer's
// consumer is the view (which does not overwrite), so the producer keeps its value.
BOOST_AUTO_TEST_CASE(a_view_feeding_cross_entropy_leaves_its_source_intact) {
  std::mt19937 rng(46);
  const std::vector<Tensor> in = {uniform_tensor(Shape{6, 3}, rng), uniform_tensor(Shape{3, 10}, rng),
                                  uniform_tensor(Shape{10}, rng)};
  const Build reshaped = [](auto v) { return reshape(linear(v[0], v[1], v[2]), Shape{12, 5}); };
  const Outcome plain = run(false, reshaped, in), lean = run(true, reshaped, in);
  expect_same_gradients(lean, plain, "reshape(linear)");
  BOOST_TEST((lean.storage == GradStorage::Source));
  expect_same(lean.y_after, lean.y_before, "reshape(linear): the linear's value is intact");
}

// Lean backward gives the leaves the same gradients (to rounding: contributions through a view are summed in
// another order), writes the lone cross_entropy's gradient over its logits, and leaves retained nodes exact.
BOOST_AUTO_TEST_CASE(lean_backward_matches) {
  std::mt19937 rng(31);
  const Tensor x = uniform_tensor(Shape{3, 4, 5}, rng), w = uniform_tensor(Shape{5, 6}, rng);
  const Tensor u = uniform_tensor(Shape{6, 7}, rng), b = uniform_tensor(Shape{7}, rng);
  const std::vector<std::int32_t> targets = {0, 6, 3, 2, 5, 1, 4, 6};
  struct Out {
    Tensor gx, gw, gu, gb, g_view;
    float logits0;
  };
  const auto run = [&](bool lean) {
    Tape tape;
    tape.set_lean(lean);
    const Var vx = tape.variable(x), vw = tape.variable(w), vu = tape.variable(u), vb = tape.variable(b);
    const Var h = tanh(matmul(vx, vw));              // 3×4×6
    const Var s0 = select(h, 0), s2 = select(h, 2);  // views, each used twice
    tape.retain_grad(s2);
    const Var mixed = stack({s0 * s2, s0 + s2});   // 2×4×6
    const Var rows = reshape(mixed, Shape{8, 6});  // a view of a view's consumer
    const Var logits = linear(rows, vu, vb);       // 8×7, consumed only by cross_entropy
    tape.backward(cross_entropy(logits, targets) + sum(tanh(select(h, 1))));
    return Out{Tensor(tape.grad(vx)), Tensor(tape.grad(vw)), Tensor(tape.grad(vu)),
               Tensor(tape.grad(vb)), Tensor(tape.grad(s2)), logits.value()[0]};
  };
  const Out plain = run(false), lean = run(true);
  const auto close = [](const Tensor& a, const Tensor& b, const char* what) {
    for (index_t i = 0; i < a.numel(); ++i)
      BOOST_TEST(a[i] == b[i], what << "[" << i << "]" << boost::test_tools::tolerance(1e-5f));
  };
  close(lean.gx, plain.gx, "∂J/∂x");
  close(lean.gw, plain.gw, "∂J/∂W");
  close(lean.gu, plain.gu, "∂J/∂U");
  close(lean.gb, plain.gb, "∂J/∂b");
  close(lean.g_view, plain.g_view, "∂J/∂s2 (retained, so not shared)");
  BOOST_TEST(lean.logits0 != plain.logits0);  // the logits' storage now holds their gradient
}

BOOST_AUTO_TEST_SUITE_END()
