// Optimizers: one generated "loss decreases after one step" test per optimizer kind, SGD (momentum, weight decay,
// Nesterov), Adam and AdamW against updates computed by hand, and the errors for bad settings.
//
// The hand-computed cases set the gradients directly (no tape) on a 2-element parameter p = [1, −2], so every number
// below can be checked with pencil and paper; BOOST_TEST compares with a relative tolerance of 1e-6 (float rounding).
#include <boost/test/data/test_case.hpp>
#include <boost/test/tools/floating_point_comparison.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>

#include "nn/adam.hpp"
#include "nn/sgd.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace bdata = boost::unit_test::data;
namespace utf = boost::unit_test;

namespace {
// A parameter of two elements with value [a, b].
std::unique_ptr<nn::Parameter> param2(float a, float b) {
  auto p = std::make_unique<nn::Parameter>("p", Shape{2});
  p->value()[0] = a;
  p->value()[1] = b;
  return p;
}
void set_grad(nn::Parameter& p, float a, float b) {
  p.grad()[0] = a;
  p.grad()[1] = b;
}
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() && std::memcmp(a.data(), b.data(), sizeof(float) * a.numel()) == 0;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

// Generated once per optimizer kind: one step along the gradient from a random start lowers the loss of a convex
// problem when the rate is small. A wrong sign, a missing learning rate or an update of the wrong parameter fails.
BOOST_DATA_TEST_CASE(loss_decreases_after_one_step, bdata::make(optimizer_kinds()), kind) {
  TinyClassifier model(7);
  auto optim = kind.make(model.parameters());
  const float before = model.compute_gradients();
  BOOST_TEST(before == model.loss_value());
  const Tensor w_before = model.linear.W.value();
  optim->step();
  const float after = model.loss_value();
  BOOST_TEST(after < before, kind.name << ": loss " << before << " → " << after);
  BOOST_TEST(optim->step_count() == 1);
  BOOST_TEST(!same_bits(model.linear.W.value(), w_before));
  // A few more steps keep lowering it (momentum and Adam's moments carry over between steps).
  float previous = after;
  for (int i = 0; i < 5; ++i) {
    model.compute_gradients();
    optim->step();
    const float now = model.loss_value();
    BOOST_TEST(now < previous, kind.name << ": step " << i + 2 << ": " << previous << " → " << now);
    previous = now;
  }
  BOOST_TEST(optim->step_count() == 6);
}

// Generated once per kind: the same start and gradients give bit-identical parameters.
BOOST_DATA_TEST_CASE(updates_are_deterministic, bdata::make(optimizer_kinds()), kind) {
  TinyClassifier a(3), b(3);
  auto oa = kind.make(a.parameters());
  auto ob = kind.make(b.parameters());
  for (int i = 0; i < 4; ++i) {
    a.compute_gradients();
    b.compute_gradients();
    oa->step();
    ob->step();
  }
  BOOST_TEST(same_bits(a.linear.W.value(), b.linear.W.value()));
  BOOST_TEST(same_bits(a.linear.b.value(), b.linear.b.value()));
}

// SGD without momentum, wd = 0.5, lr = 0.1, p = [1, −2], ∇p = [1, 1]:
//   g = ∇p + wd·p = [1 + 0.5, 1 − 1] = [1.5, 0];   p ← p − 0.1·g = [0.85, −2]
BOOST_AUTO_TEST_CASE(sgd_plain_with_weight_decay_by_hand, *utf::tolerance(1e-6f)) {
  auto p = param2(1.0f, -2.0f);
  nn::SGD sgd({p.get()}, {.lr = 0.1f, .weight_decay = 0.5f});
  BOOST_TEST(sgd.state_slots().empty());  // no momentum buffer without momentum
  set_grad(*p, 1.0f, 1.0f);
  sgd.step();
  BOOST_TEST(p->value()[0] == 0.85f);
  BOOST_TEST(p->value()[1] == -2.0f);
}

// SGD with μ = 0.5, wd = 0.25, lr = 0.1, from p = [1, −2]:
// step 1, ∇p = [1, 1]:   g = [1 + 0.25·1, 1 + 0.25·(−2)] = [1.25, 0.5];  b = 0.5·0 + g = [1.25, 0.5]
//                        p = [1 − 0.125, −2 − 0.05] = [0.875, −2.05]
// step 2, ∇p = [−1, 2]:  g = [−1 + 0.25·0.875, 2 + 0.25·(−2.05)] = [−0.78125, 1.4875]
//                        b = 0.5·[1.25, 0.5] + g = [0.625 − 0.78125, 0.25 + 1.4875] = [−0.15625, 1.7375]
//                        p = [0.875 + 0.015625, −2.05 − 0.17375] = [0.890625, −2.22375]
BOOST_AUTO_TEST_CASE(sgd_momentum_and_weight_decay_by_hand, *utf::tolerance(1e-6f)) {
  auto p = param2(1.0f, -2.0f);
  nn::SGD sgd({p.get()}, {.lr = 0.1f, .momentum = 0.5f, .weight_decay = 0.25f});
  set_grad(*p, 1.0f, 1.0f);
  sgd.step();
  const Tensor& b = sgd.state_slots().at(0).tensors.at(0);
  BOOST_TEST(sgd.state_slots()[0].name == "momentum_buffer");
  BOOST_TEST(b[0] == 1.25f);
  BOOST_TEST(b[1] == 0.5f);
  BOOST_TEST(p->value()[0] == 0.875f);
  BOOST_TEST(p->value()[1] == -2.05f);
  set_grad(*p, -1.0f, 2.0f);
  sgd.step();
  BOOST_TEST(b[0] == -0.15625f);
  BOOST_TEST(b[1] == 1.7375f);
  BOOST_TEST(p->value()[0] == 0.890625f);
  BOOST_TEST(p->value()[1] == -2.22375f);
}

// Nesterov, μ = 0.5, wd = 0, lr = 0.1, from p = [1, −2]:
// step 1, ∇p = [1, 1]:   b = [1, 1];  d = g + μ·b = [1.5, 1.5];  p = [0.85, −2.15]
// step 2, ∇p = [−1, 2]:  b = 0.5·[1, 1] + [−1, 2] = [−0.5, 2.5];  d = [−1 − 0.25, 2 + 1.25] = [−1.25, 3.25]
//                        p = [0.85 + 0.125, −2.15 − 0.325] = [0.975, −2.475]
BOOST_AUTO_TEST_CASE(sgd_nesterov_by_hand, *utf::tolerance(1e-6f)) {
  auto p = param2(1.0f, -2.0f);
  nn::SGD sgd({p.get()}, {.lr = 0.1f, .momentum = 0.5f, .nesterov = true});
  set_grad(*p, 1.0f, 1.0f);
  sgd.step();
  BOOST_TEST(p->value()[0] == 0.85f);
  BOOST_TEST(p->value()[1] == -2.15f);
  set_grad(*p, -1.0f, 2.0f);
  sgd.step();
  BOOST_TEST(p->value()[0] == 0.975f);
  BOOST_TEST(p->value()[1] == -2.475f);
}

// Adam with lr = 0.1, β₁ = 0.5, β₂ = 0.75, ε = 0.25 (values chosen so the arithmetic is exact in fractions, and
// large enough that a misplaced ε — inside the root, or before bias correction — changes the result), p = [1, −2]:
// step 1, g = [2, −1]:  m = 0.5·g = [1, −0.5];   v = 0.25·g² = [1, 0.25]
//                       1 − β₁¹ = 0.5, 1 − β₂¹ = 0.25:  m̂ = [2, −1];  v̂ = [4, 1];  √v̂ + ε = [2.25, 1.25]
//                       p −= 0.1·m̂/(√v̂ + ε) = [0.1·2/2.25, −0.1·1/1.25] = [0.0888…, −0.08]
//                       p = [0.911111…, −1.92]
// step 2, g = [1, 3]:   m = 0.5·[1, −0.5] + 0.5·[1, 3] = [1, 1.25]
//                       v = 0.75·[1, 0.25] + 0.25·[1, 9] = [1, 2.4375] = [1, 39/16]
//                       1 − β₁² = 3/4, 1 − β₂² = 7/16:  m̂ = [4/3, 5/3];  v̂ = [16/7, 39/7]
//                       √v̂ = [4/√7, √(39/7)] = [1.5118579, 2.3603874];  + ε = [1.7618579, 2.6103874]
//                       p −= 0.1·[(4/3)/1.7618579, (5/3)/2.6103874] = [0.0756777, 0.0638475]
//                       p = [0.8354334, −1.9838475]
BOOST_AUTO_TEST_CASE(adam_matches_hand_computed_two_steps, *utf::tolerance(1e-6f)) {
  auto p = param2(1.0f, -2.0f);
  nn::Adam adam({p.get()}, {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.75f, .eps = 0.25f});
  set_grad(*p, 2.0f, -1.0f);
  adam.step();
  const Tensor& m = adam.state_slots().at(0).tensors.at(0);
  const Tensor& v = adam.state_slots().at(1).tensors.at(0);
  BOOST_TEST(adam.state_slots()[0].name == "exp_avg");
  BOOST_TEST(adam.state_slots()[1].name == "exp_avg_sq");
  BOOST_TEST(m[0] == 1.0f);
  BOOST_TEST(m[1] == -0.5f);
  BOOST_TEST(v[0] == 1.0f);
  BOOST_TEST(v[1] == 0.25f);
  BOOST_TEST(p->value()[0] == 0.9111111f);
  BOOST_TEST(p->value()[1] == -1.92f);
  set_grad(*p, 1.0f, 3.0f);
  adam.step();
  BOOST_TEST(m[0] == 1.0f);
  BOOST_TEST(m[1] == 1.25f);
  BOOST_TEST(v[0] == 1.0f);
  BOOST_TEST(v[1] == 2.4375f);
  BOOST_TEST(p->value()[0] == 0.8354334f);
  BOOST_TEST(p->value()[1] == -1.9838475f);
}

// Same settings, one step, weight decay 0.5, from p = [1, −2] with ∇p = [2, −1]:
// AdamW (decoupled): p ← p·(1 − 0.1·0.5) = [0.95, −1.9]; the moments see ∇p only, so the Adam step is the one above,
//                    [0.0888…, −0.08]:  p = [0.95 − 0.088889, −1.9 + 0.08] = [0.861111…, −1.82]
// Adam (L2):         g = ∇p + 0.5·p = [2.5, −2];  m = [1.25, −1];  v = 0.25·[6.25, 4] = [1.5625, 1]
//                    m̂ = [2.5, −2];  √v̂ = [2.5, 2];  p −= 0.1·[2.5/2.75, −2/2.25] = [0.090909…, −0.088889…]
//                    p = [0.909091, −1.911111]
// The two differ: decoupled decay is not the L2 term passed through the moments.
BOOST_AUTO_TEST_CASE(adamw_decouples_weight_decay, *utf::tolerance(1e-6f)) {
  auto pw = param2(1.0f, -2.0f);
  nn::AdamW adamw({pw.get()}, {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.75f, .eps = 0.25f, .weight_decay = 0.5f});
  set_grad(*pw, 2.0f, -1.0f);
  adamw.step();
  BOOST_TEST(pw->value()[0] == 0.8611111f);
  BOOST_TEST(pw->value()[1] == -1.82f);
  const Tensor& m = adamw.state_slots().at(0).tensors.at(0);
  BOOST_TEST(m[0] == 1.0f);  // 0.5·∇p: the decay did not reach the moments
  BOOST_TEST(m[1] == -0.5f);
  BOOST_TEST(adamw.kind() == "adamw");

  auto pa = param2(1.0f, -2.0f);
  nn::Adam adam({pa.get()}, {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.75f, .eps = 0.25f, .weight_decay = 0.5f});
  set_grad(*pa, 2.0f, -1.0f);
  adam.step();
  BOOST_TEST(pa->value()[0] == 0.9090909f);
  BOOST_TEST(pa->value()[1] == -1.9111111f);
}

// With the defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) the first Adam step moves every coordinate by ≈ lr·sign(g):
// m̂ = g and v̂ = g², so m̂/(√v̂ + ε) = g/(|g| + 1e-8), within 1e-7 relative of sign(g) for |g| ≥ 0.1 whatever the
// gradient's scale: 0.01·1000/(1000 + 1e-8) and 0.01·0.1/(0.1 + 1e-8) = 0.01·(1 − 1e-7).
BOOST_AUTO_TEST_CASE(adam_first_step_is_lr_times_sign, *utf::tolerance(1e-6f)) {
  auto p = param2(0.0f, 0.0f);
  nn::Adam adam({p.get()}, {.lr = 0.01f});
  set_grad(*p, 1000.0f, -0.1f);
  adam.step();
  BOOST_TEST(p->value()[0] == -0.01f);
  BOOST_TEST(p->value()[1] == 0.01f);
}

BOOST_AUTO_TEST_CASE(zero_grad_learning_rate_and_step_count) {
  auto p = param2(1.0f, 2.0f);
  nn::SGD sgd({p.get()}, {.lr = 0.5f});
  set_grad(*p, 3.0f, 4.0f);
  sgd.zero_grad();
  BOOST_TEST(p->grad()[0] == 0.0f);
  BOOST_TEST(p->grad()[1] == 0.0f);
  BOOST_TEST(sgd.learning_rate() == 0.5f);
  sgd.set_learning_rate(0.25f);
  BOOST_TEST(sgd.learning_rate() == 0.25f);
  set_grad(*p, 4.0f, 0.0f);
  sgd.step();
  BOOST_TEST(p->value()[0] == 0.0f);  // 1 − 0.25·4, exact in float
  BOOST_TEST(sgd.step_count() == 1);
  BOOST_CHECK_THROW(sgd.set_learning_rate(-1.0f), UsageError);
  BOOST_CHECK_THROW(sgd.set_learning_rate(std::nanf("")), UsageError);
  BOOST_CHECK_THROW(sgd.set_step_count(-1), UsageError);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused_with_their_name) {
  auto p = param2(1.0f, 2.0f);
  using V = std::vector<nn::Parameter*>;
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{}, {}); }), "empty"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get(), nullptr}, {}); }), "null"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get(), p.get()}, {}); }), "listed twice"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get()}, {.lr = -0.1f}); }), "learning rate"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get()}, {.momentum = 1.0f}); }), "momentum"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get()}, {.weight_decay = -1.0f}); }), "weight_decay"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::SGD(V{p.get()}, {.nesterov = true}); }), "nesterov"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::Adam(V{p.get()}, {.beta1 = 1.0f}); }), "beta1"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::Adam(V{p.get()}, {.beta2 = -0.5f}); }), "beta2"));
  BOOST_TEST(contains(error_of<UsageError>([&] { nn::AdamW(V{p.get()}, {.eps = -1e-8f}); }), "eps"));
  BOOST_TEST(
      contains(error_of<UsageError>([&] { nn::AdamW(V{p.get()}, {.weight_decay = std::nanf("")}); }), "weight_decay"));
}

// A parameter whose storage was replaced by one of another size must not be updated out of bounds.
BOOST_AUTO_TEST_CASE(a_parameter_that_changed_size_is_refused) {
  auto p = param2(1.0f, 2.0f);
  nn::Adam adam({p.get()}, {});
  p->value() = Tensor(Shape{3});
  BOOST_TEST(contains(error_of<UsageError>([&] { adam.step(); }), "changed size"));
  BOOST_TEST(adam.step_count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
