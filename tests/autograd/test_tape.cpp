// The tape's mechanics: handles and clear(), leaves and gradient accumulation, needs-grad, no_grad, retain_grad,
// scopes, the text dump, and the errors user mistakes get.
#include <boost/test/unit_test.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include "autograd/autograd.hpp"
#include "ops/error.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::uniform_tensor;

namespace {
// Runs f, expects it to throw E, and returns the message.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  BOOST_FAIL("expected an exception");
  return "";
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_SUITE(tape)

BOOST_AUTO_TEST_CASE(handles_detect_use_after_clear) {
  Tape tape;
  Var x = tape.constant(Tensor(Shape{2, 2}, 1.0f));
  BOOST_TEST(x.value()[0] == 1.0f);
  tape.clear();
  std::string msg = error_of<UsageError>([&] { (void)x.value(); });
  BOOST_TEST(contains(msg, "stale"), msg);
  BOOST_CHECK_THROW(tanh(x), UsageError);
  BOOST_CHECK_THROW(tape.backward(x), UsageError);
  // A handle made after the clear works, even at the same index.
  Var y = tape.constant(Tensor(Shape{1}, 2.0f));
  BOOST_TEST(y.index() == x.index());
  BOOST_TEST(y.item() == 2.0f);
  BOOST_CHECK_THROW(Var().value(), UsageError);
}

BOOST_AUTO_TEST_CASE(clear_keeps_capacity) {
  Tape tape;
  Tensor w(Shape{64, 64}, 0.01f), gw(Shape{64, 64});
  auto step = [&] {
    Var W = tape.parameter(w, gw, "W");
    Var h = tape.constant(Tensor(Shape{8, 64}, 0.5f));
    for (int t = 0; t < 200; ++t) h = tanh(matmul(h, W));
    tape.backward(mean(h));
  };
  step();
  const std::size_t nodes = tape.node_capacity(), bytes = tape.reserved_bytes();
  BOOST_TEST(tape.size() > 400u);
  tape.clear();
  BOOST_TEST(tape.size() == 0u);
  BOOST_TEST(tape.node_capacity() == nodes);
  BOOST_TEST(tape.reserved_bytes() == bytes);
  for (int i = 0; i < 3; ++i) {  // the same graph again needs no new memory
    step();
    tape.clear();
    BOOST_TEST(tape.node_capacity() == nodes);
    BOOST_TEST(tape.reserved_bytes() == bytes);
  }
}

BOOST_AUTO_TEST_CASE(parameter_gradients_accumulate_across_backward_calls) {
  Tensor w(Shape{3}, {1.0f, 2.0f, 3.0f}), gw(Shape{3});
  Tape tape;
  Var W = tape.parameter(w, gw, "W");
  Var loss = sum(mul(W, W));  // ∂/∂W = 2W
  tape.backward(loss);
  tape.backward(loss);
  for (int i = 0; i < 3; ++i) BOOST_TEST(gw[i] == 4.0f * w[i]);
  // The tape referred to the parameter's storage; it did not copy the value.
  BOOST_TEST(W.value().data == w.data());
}

BOOST_AUTO_TEST_CASE(variable_gradients_are_fresh_each_backward) {
  Tape tape;
  Var x = tape.variable(Tensor(Shape{2}, {1.0f, -2.0f}));
  Var loss = sum(scale(x, 3.0f));
  tape.backward(loss);
  tape.backward(loss);
  BOOST_TEST(tape.grad(x)[0] == 3.0f);
  BOOST_TEST(tape.grad(x)[1] == 3.0f);
}

BOOST_AUTO_TEST_CASE(fan_out_sums_contributions) {
  // y = x·x + 3x + x  →  dy/dx = 2x + 4: x is used four times, its gradient is the sum of four contributions.
  Tape tape;
  Var x = tape.variable(Tensor(Shape{3}, {0.5f, -1.0f, 2.0f}));
  Var y = sum(add(add(mul(x, x), scale(x, 3.0f)), x));
  tape.backward(y);
  const float xs[] = {0.5f, -1.0f, 2.0f};
  for (int i = 0; i < 3; ++i) BOOST_TEST(tape.grad(x)[i] == 2.0f * xs[i] + 4.0f);
}

BOOST_AUTO_TEST_CASE(needs_grad_pass_skips_unrelated_branches) {
  Tape tape;
  Tensor w(Shape{2}, {1.0f, 2.0f}), gw(Shape{2}), u(Shape{2}, {3.0f, 4.0f}), gu(Shape{2});
  Var W = tape.parameter(w, gw, "W");
  Var U = tape.parameter(u, gu, "U");
  Var side = tanh(U);  // recorded, but the loss does not use it
  Var loss = sum(mul(W, tape.constant(Tensor(Shape{2}, 2.0f))));
  tape.backward(loss);
  BOOST_TEST(gw[0] == 2.0f);
  BOOST_TEST(gu[0] == 0.0f);
  BOOST_TEST(tape.node(side).grad == nullptr);
  BOOST_TEST(tape.node(loss).requires_grad);
  BOOST_TEST(!tape.node(tape.constant(Tensor(Shape{1}))).requires_grad);
}

BOOST_AUTO_TEST_CASE(no_grad_records_values_without_gradients) {
  Tape tape;
  Tensor w(Shape{2}, {1.0f, 2.0f}), gw(Shape{2});
  Var W = tape.parameter(w, gw, "W");
  Var y;
  {
    NoGradGuard guard(tape);
    BOOST_TEST(!tape.grad_enabled());
    y = sum(mul(W, W));
  }
  BOOST_TEST(tape.grad_enabled());
  BOOST_TEST(y.item() == 5.0f);
  BOOST_TEST(!tape.node(y).requires_grad);
  std::string msg = error_of<UsageError>([&] { tape.backward(y); });
  BOOST_TEST(contains(msg, "does not depend"), msg);
  // Mixed: the no-grad part acts as a constant.
  Var loss = sum(mul(W, tape.constant(Tensor(Shape{2}, y.item()))));
  tape.backward(loss);
  BOOST_TEST(gw[1] == 5.0f);
}

BOOST_AUTO_TEST_CASE(retain_grad_exposes_interior_gradients) {
  Tape tape;
  Var x = tape.variable(Tensor(Shape{2}, {0.3f, -0.7f}));
  Var h = tanh(x);
  Var kept = scale(h, 2.0f);
  tape.retain_grad(h);
  Var loss = sum(kept);
  BOOST_CHECK_THROW(tape.grad(h), UsageError);  // before backward
  tape.backward(loss);
  BOOST_TEST(tape.grad(h)[0] == 2.0f);  // ∂loss/∂h = 2
  std::string msg = error_of<UsageError>([&] { tape.grad(kept); });
  BOOST_TEST(contains(msg, "retain_grad"), msg);
}

BOOST_AUTO_TEST_CASE(scopes_are_recorded_and_nest) {
  Tape tape;
  Var x = tape.constant(Tensor(Shape{1}, 1.0f));
  Var a, b, c;
  {
    ScopeGuard rnn(tape, "rnn");
    {
      ScopeGuard step(tape, "t=0");
      a = tanh(x);
    }
    ScopeGuard step(tape, "t=1");
    b = tanh(a);
  }
  c = tanh(b);
  BOOST_TEST(tape.scope_of(tape.node(x)) == "");
  BOOST_TEST(tape.scope_of(tape.node(a)) == "rnn/t=0");
  BOOST_TEST(tape.scope_of(tape.node(b)) == "rnn/t=1");
  BOOST_TEST(tape.scope_of(tape.node(c)) == "");
  BOOST_CHECK_THROW(tape.pop_scope(), UsageError);
}

BOOST_AUTO_TEST_CASE(dump_has_one_line_per_node_with_index_scope_op_inputs_shape) {
  Tape tape;
  Tensor w(Shape{3, 4}, 0.1f), gw(Shape{3, 4});
  Var W = tape.parameter(w, gw, "W1");
  Var x = tape.constant(Tensor(Shape{2, 3}, 1.0f));
  Var h;
  {
    ScopeGuard layer(tape, "layer1");
    h = tanh(matmul(x, W));
  }
  Var part = slice(h, 1, 2);
  (void)part;
  const std::string text = tape.dump();
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  BOOST_TEST_REQUIRE(all.size() == tape.size());
  // Expected from the format's specification (index, scope or "-", label, shape), whitespace-insensitive.
  const char* expected[] = {R"(v0\s+-\s+param W1\s+3×4)", R"(v1\s+-\s+const\s+2×3)",
                            R"(v2\s+layer1\s+matmul\(v1, v0\)\s+2×4)", R"(v3\s+layer1\s+tanh\(v2\)\s+2×4)",
                            R"(v4\s+-\s+slice\(v3, 1:3\)\s+2×2)"};
  for (std::size_t i = 0; i < all.size(); ++i)
    BOOST_TEST(std::regex_match(all[i], std::regex(expected[i])), "line " << i << ": '" << all[i] << "'");
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_op_and_shapes) {
  Tape tape;
  Var a = tape.constant(Tensor(Shape{3, 4}));
  Var b = tape.constant(Tensor(Shape{4, 3}));
  std::string msg = error_of<ShapeError>([&] { add(a, b); });
  BOOST_TEST((contains(msg, "add") && contains(msg, "3×4") && contains(msg, "4×3")), msg);
  msg = error_of<ShapeError>([&] { matmul(a, a); });
  BOOST_TEST((contains(msg, "matmul") && contains(msg, "inner") && contains(msg, "3×4")), msg);
  msg = error_of<ShapeError>([&] { add_bias(a, tape.constant(Tensor(Shape{3}))); });
  BOOST_TEST((contains(msg, "add_bias") && contains(msg, "3×4")), msg);
  msg = error_of<ShapeError>([&] { concat({a, b}); });
  BOOST_TEST(contains(msg, "concat"), msg);
  msg = error_of<ShapeError>([&] { slice(a, 2, 3); });
  BOOST_TEST((contains(msg, "slice") && contains(msg, "2:5")), msg);
  msg = error_of<ShapeError>([&] { reshape(a, Shape{5, 2}); });
  BOOST_TEST((contains(msg, "reshape") && contains(msg, "5×2")), msg);
  BOOST_CHECK_THROW(transpose(tape.constant(Tensor(Shape{2, 3, 4}))), ShapeError);
  BOOST_CHECK_THROW(split(a, {1, 2}), ShapeError);
  BOOST_CHECK_THROW(Shape({1, 2, 3, 4, 5}), ShapeError);
}

BOOST_AUTO_TEST_CASE(index_errors_name_the_op_and_position) {
  Tape tape;
  Var table = tape.constant(Tensor(Shape{5, 2}));
  std::vector<std::int32_t> ids = {0, 7};
  std::string msg = error_of<UsageError>([&] { embedding(table, ids); });
  BOOST_TEST((contains(msg, "embedding") && contains(msg, "7") && contains(msg, "position 1")), msg);
  Var logits = tape.constant(Tensor(Shape{2, 5}));
  std::vector<std::int32_t> targets = {1, -1};
  msg = error_of<UsageError>([&] { cross_entropy(logits, targets); });
  BOOST_TEST((contains(msg, "cross_entropy") && contains(msg, "-1") && contains(msg, "row 1")), msg);
  std::vector<std::int32_t> too_few = {1};
  msg = error_of<ShapeError>([&] { cross_entropy(logits, too_few); });
  BOOST_TEST((contains(msg, "cross_entropy") && contains(msg, "2×5")), msg);
}

BOOST_AUTO_TEST_CASE(backward_misuse_is_reported) {
  Tape tape;
  Var x = tape.variable(Tensor(Shape{2, 3}, 1.0f));
  Var y = tanh(x);
  std::string msg = error_of<UsageError>([&] { tape.backward(y); });
  BOOST_TEST((contains(msg, "backward") && contains(msg, "2×3") && contains(msg, "seed")), msg);
  BOOST_CHECK_THROW(tape.backward(y, Tensor(Shape{5}).view()), ShapeError);
  BOOST_CHECK_THROW(y.item(), UsageError);
  Tape other;
  Var z = other.variable(Tensor(Shape{2, 3}));
  msg = error_of<UsageError>([&] { add(x, z); });
  BOOST_TEST(contains(msg, "different tapes"), msg);
}

BOOST_AUTO_TEST_CASE(backward_with_seed_is_a_vector_jacobian_product) {
  Tape tape;
  Var x = tape.variable(Tensor(Shape{3}, {1.0f, 2.0f, 3.0f}));
  Var y = mul(x, x);
  tape.backward(y, Tensor(Shape{3}, {1.0f, 0.0f, -1.0f}).view());
  BOOST_TEST(tape.grad(x)[0] == 2.0f);
  BOOST_TEST(tape.grad(x)[1] == 0.0f);
  BOOST_TEST(tape.grad(x)[2] == -6.0f);
}

BOOST_AUTO_TEST_CASE(composite_and_fused_nonlinearities_agree) {
  std::mt19937 rng(21);
  Tensor x0 = uniform_tensor(Shape{17, 33}, rng, -4, 4);
  Tensor seed = uniform_tensor(Shape{17, 33}, rng);
  using Fn = Var (*)(Var);
  const std::pair<Fn, Fn> pairs[] = {{sigmoid, sigmoid_composite}, {tanh, tanh_composite}};
  for (auto [fused, composed] : pairs) {
    Tape tape;
    Var a = tape.variable(x0);
    Var b = tape.variable(x0);
    Var ya = fused(a);
    const std::size_t before = tape.size();
    Var yb = composed(b);
    BOOST_TEST(tape.size() - before >= 5u);  // the composite is several nodes, the fused form one
    tape.backward(ya, seed.view());
    Tensor ga(tape.grad(a));
    tape.backward(yb, seed.view());
    for (index_t i = 0; i < x0.numel(); ++i) {
      BOOST_TEST(std::abs(ya.value()[i] - yb.value()[i]) <= 1e-6f);
      BOOST_TEST(std::abs(ga[i] - tape.grad(b)[i]) <= 1e-5f);
    }
  }
}

// The backward observer (data-parallel gradient sums start on its reports): called with decreasing indices from
// past the output down to 0, and once finished_from(i) says every node from i up has run, the gradient of a parameter
// whose leaf is at index ≥ i no longer changes.
BOOST_AUTO_TEST_CASE(backward_observer_reports_when_parameters_are_final) {
  Tape tape;
  Tensor a(Shape{3, 3}, 0.3f), ga(Shape{3, 3}), b(Shape{3, 3}, -0.2f), gb(Shape{3, 3});
  Var x = tape.constant(Tensor(Shape{2, 3}, 0.5f));
  Var A = tape.parameter(a, ga, "A");
  Var h = tanh(matmul(x, A));
  Var B = tape.parameter(b, gb, "B");  // used after A: final earlier in backward
  Var y = mean(tanh(matmul(matmul(h, B), A)));  // A used again, after B
  struct Recorder final : BackwardObserver {
    std::vector<std::uint32_t> calls;
    std::vector<float> gb_when_final, ga_when_final;
    std::uint32_t a_leaf = 0, b_leaf = 0;
    Tensor* ga = nullptr;
    Tensor* gb = nullptr;
    void finished_from(std::uint32_t i) override {
      calls.push_back(i);
      if (i == b_leaf + 1) gb_when_final.assign(gb->data(), gb->data() + gb->numel());
      if (i == a_leaf + 1) ga_when_final.assign(ga->data(), ga->data() + ga->numel());
    }
  } recorder;
  recorder.a_leaf = A.index();
  recorder.b_leaf = B.index();
  recorder.ga = &ga;
  recorder.gb = &gb;
  tape.set_backward_observer(&recorder);
  tape.backward(y);
  tape.set_backward_observer(nullptr);
  BOOST_TEST_REQUIRE(!recorder.calls.empty());
  BOOST_TEST(recorder.calls.front() == y.index() + 1);
  BOOST_TEST(recorder.calls.back() == 0u);
  for (std::size_t k = 1; k < recorder.calls.size(); ++k) BOOST_TEST(recorder.calls[k] < recorder.calls[k - 1]);
  BOOST_TEST_REQUIRE(recorder.gb_when_final.size() == 9u);
  BOOST_TEST_REQUIRE(recorder.ga_when_final.size() == 9u);
  for (index_t i = 0; i < 9; ++i) {
    BOOST_TEST(recorder.gb_when_final[static_cast<std::size_t>(i)] == gb.data()[i]);
    BOOST_TEST(recorder.ga_when_final[static_cast<std::size_t>(i)] == ga.data()[i]);
  }
  BOOST_TEST(gb.data()[0] != 0.0f);
  // Not observed any more once reset.
  recorder.calls.clear();
  tape.backward(y);
  BOOST_TEST(recorder.calls.empty());
}

BOOST_AUTO_TEST_SUITE_END()
