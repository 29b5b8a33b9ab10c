// clip_grad_norm: the returned norm, the scaled gradients, the no-op below the limit, non-finite norms, bad limits.
//
// Gradients [3, 4] and [0, 0, 12] have the global norm √(9 + 16 + 144) = √169 = 13 (a Pythagorean pair per tensor,
// so every number here is exact).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "nn/clip.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace utf = boost::unit_test;

namespace {
struct TwoParams {
  nn::Parameter a{"a", Shape{2}};
  nn::Parameter b{"b", Shape{3}};
  std::vector<nn::Parameter*> list{&a, &b};
  TwoParams() {
    a.grad()[0] = 3.0f;
    a.grad()[1] = 4.0f;
    b.grad()[2] = 12.0f;
  }
  bool grads_are(std::initializer_list<float> want) const {
    std::vector<float> got{a.grad()[0], a.grad()[1], b.grad()[0], b.grad()[1], b.grad()[2]};
    return std::memcmp(got.data(), std::data(want), sizeof(float) * got.size()) == 0;
  }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(clip)

// max_norm = 6.5 = 13/2: scale = 6.5/(13 + 1e-6) = 0.5·(1 − 7.7e-8), so the gradients become (within 1e-6 relative)
// half of what they were, [1.5, 2] and [0, 0, 6], and their new norm is 6.5.
BOOST_AUTO_TEST_CASE(scales_down_to_max_norm_and_returns_the_norm_before, *utf::tolerance(1e-6)) {
  TwoParams t;
  BOOST_TEST(nn::grad_norm(t.list) == 13.0);
  const double norm = nn::clip_grad_norm(t.list, 6.5);
  BOOST_TEST(norm == 13.0);
  BOOST_TEST(t.a.grad()[0] == 1.5);
  BOOST_TEST(t.a.grad()[1] == 2.0);
  BOOST_TEST(t.b.grad()[0] == 0.0);
  BOOST_TEST(t.b.grad()[2] == 6.0);
  BOOST_TEST(nn::grad_norm(t.list) == 6.5);
  BOOST_TEST((nn::grad_norm(t.list) < 6.5));  // the 1e-6 keeps it just under the limit, as in PyTorch
}

BOOST_AUTO_TEST_CASE(no_op_at_or_under_the_limit) {
  TwoParams t;
  BOOST_TEST(nn::clip_grad_norm(t.list, 20.0) == 13.0);
  BOOST_TEST(t.grads_are({3.0f, 4.0f, 0.0f, 0.0f, 12.0f}));
  BOOST_TEST(nn::clip_grad_norm(t.list, 13.0) == 13.0);  // only norm > max_norm clips
  BOOST_TEST(t.grads_are({3.0f, 4.0f, 0.0f, 0.0f, 12.0f}));
  BOOST_TEST(nn::clip_grad_norm(t.list, std::numeric_limits<double>::infinity()) == 13.0);
  BOOST_TEST(t.grads_are({3.0f, 4.0f, 0.0f, 0.0f, 12.0f}));
}

// The squares are summed in double: 1e20² = 1e40 overflows float (max ≈ 3.4e38) but not double, so the norm of
// [1e20, 1e20] is 1e20·√2, not inf.
BOOST_AUTO_TEST_CASE(accumulates_in_double, *utf::tolerance(1e-6)) {
  nn::Parameter p("p", Shape{2});
  p.grad().fill(1e20f);
  const std::vector<nn::Parameter*> list{&p};
  const double norm = nn::clip_grad_norm(list, 1.0);
  BOOST_TEST(norm == static_cast<double>(1e20f) * std::sqrt(2.0));
  BOOST_TEST(p.grad()[0] == 1.0 / std::sqrt(2.0));  // then scaled to norm 1
}

// Documented behaviour: a non-finite norm is returned and the gradients are left alone (or it throws on request).
BOOST_AUTO_TEST_CASE(non_finite_norm_leaves_gradients_alone) {
  TwoParams t;
  t.b.grad()[0] = std::numeric_limits<float>::infinity();
  const double norm = nn::clip_grad_norm(t.list, 1.0);
  BOOST_TEST(std::isinf(norm));
  BOOST_TEST(t.grads_are({3.0f, 4.0f, std::numeric_limits<float>::infinity(), 0.0f, 12.0f}));
  const std::string msg = error_of<Error>([&] { nn::clip_grad_norm(t.list, 1.0, /*error_if_nonfinite=*/true); });
  BOOST_TEST(contains(msg, "inf"), msg);

  t.b.grad()[0] = std::nanf("");
  BOOST_TEST(std::isnan(nn::clip_grad_norm(t.list, 1.0)));
  BOOST_TEST(t.a.grad()[0] == 3.0f);
  BOOST_CHECK_THROW(nn::clip_grad_norm(t.list, 1.0, true), Error);
}

BOOST_AUTO_TEST_CASE(max_norm_must_be_positive) {
  TwoParams t;
  for (double bad : {0.0, -1.0, std::nan("")}) {
    const std::string msg = error_of<UsageError>([&] { nn::clip_grad_norm(t.list, bad); });
    BOOST_TEST(contains(msg, "max_norm"), msg);
  }
  BOOST_TEST(t.grads_are({3.0f, 4.0f, 0.0f, 0.0f, 12.0f}));
}

BOOST_AUTO_TEST_SUITE_END()
