// Activation kernels against their scalar twins (every length 0…70 and a few past the OpenMP threshold, aligned and
// unaligned starts).
//
// Tolerances: the fast kernels use xsimd's exp/log/tanh over whole vectors and <cmath> over the tail; both are within
// a few ulp of the true value (measured: ≤ 4 ulp), so we allow 1e-6 relative (≈ 8 ulp) plus 1e-12 absolute.
// relu is a selection: bit-exact. The backward kernels compute gx + gy·g(y); fused or unfused multiply-adds may differ
// by a few roundings of the magnitudes involved: we allow 4u·(|gx| + |gy|·M), M bounding |g(y)|'s terms, u = 2^−24.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "kernel_test_util.hpp"
#include "ops/activation.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

using Unary = void (*)(index_t, const float*, float*);
using Backward = void (*)(index_t, const float*, const float*, float*);

constexpr double kRel = 1e-6, kAbs = 1e-12;

std::string label(const std::string& name, index_t n, index_t offset) {
  return name + " (n = " + std::to_string(n) + ", offset = " + std::to_string(offset) + ")";
}

// y = f(x) for x uniform in [lo, hi), within kRel/kAbs of the twin (or bit-exact); also in place.
void check_forward(const std::string& name, Unary fast, Unary ref, float lo, float hi, bool exact = false) {
  Random rng(201);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer x = rng.buffer(n, lo, hi, offset);
      Buffer got(n, offset), want(n, offset), in_place(x);
      fast(n, x.data(), got.data());
      fast(n, in_place.data(), in_place.data());
      ref(n, x.data(), want.data());
      if (exact) {
        test::check_equal(got.span(), want.span(), label(name, n, offset));
      } else {
        test::check_close(got.span(), want.span(), kRel, kAbs, label(name, n, offset));
      }
      test::check_equal(in_place.span(), got.span(), label(name + " in place", n, offset));
    }
}

// gx += gy ⊙ g(v): v (y or x) from [lo, hi); magnitude(v) bounds the terms of g(v) for the tolerance.
template <class Magnitude>
void check_backward(const std::string& name, Backward fast, Backward ref, float lo, float hi, Magnitude magnitude) {
  Random rng(202);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer v = rng.buffer(n, lo, hi, offset), gy = rng.buffer(n, -1.0f, 1.0f, offset);
      const Buffer gx0 = rng.buffer(n, -1.0f, 1.0f, offset);
      Buffer got(gx0), want(gx0);
      fast(n, v.data(), gy.data(), got.data());
      ref(n, v.data(), gy.data(), want.data());
      test::check_close(
          got.span(), want.span(),
          [&](std::size_t i) {
            const auto k = static_cast<index_t>(i);
            return 4 * test::kUnitRoundoff * (std::fabs(gx0[k]) + std::fabs(gy[k]) * magnitude(v[k]));
          },
          label(name, n, offset));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(activation)

BOOST_AUTO_TEST_CASE(tanh) { check_forward("tanh", ops::tanh, ops::ref::tanh, -6.0f, 6.0f); }
BOOST_AUTO_TEST_CASE(sigmoid) { check_forward("sigmoid", ops::sigmoid, ops::ref::sigmoid, -12.0f, 12.0f); }
BOOST_AUTO_TEST_CASE(relu) { check_forward("relu", ops::relu, ops::ref::relu, -1.0f, 1.0f, true); }
BOOST_AUTO_TEST_CASE(exp) { check_forward("exp", ops::exp, ops::ref::exp, -20.0f, 20.0f); }
BOOST_AUTO_TEST_CASE(log) { check_forward("log", ops::log, ops::ref::log, 1e-4f, 100.0f); }

// Saturation: no NaN or infinity where the true value is finite.
BOOST_AUTO_TEST_CASE(saturating_inputs) {
  const float x[] = {-100.0f, -30.0f, -10.0f, 0.0f,  10.0f, 30.0f, 100.0f, -88.0f,
                     88.0f,   -1e4f,  1e4f,   -50.f, 50.f,  20.f,  -20.f,  5.0f};
  constexpr index_t n = 16;
  float y[n];
  ops::tanh(n, x, y);
  for (index_t i = 0; i < n; ++i) BOOST_TEST(std::fabs(y[i] - std::tanh(x[i])) <= 1e-6f, "tanh(" << x[i] << ")");
  ops::sigmoid(n, x, y);
  for (index_t i = 0; i < n; ++i) {
    BOOST_TEST(std::isfinite(y[i]), "sigmoid(" << x[i] << ")");
    BOOST_TEST(std::fabs(y[i] - 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])))) <= 1e-6, "sigmoid(" << x[i] << ")");
  }
}

BOOST_AUTO_TEST_CASE(tanh_backward_acc) {
  check_backward("tanh_backward_acc", ops::tanh_backward_acc, ops::ref::tanh_backward_acc, -1.0f, 1.0f,
                 [](float y) { return 1.0 + y * y; });
}

BOOST_AUTO_TEST_CASE(sigmoid_backward_acc) {
  check_backward("sigmoid_backward_acc", ops::sigmoid_backward_acc, ops::ref::sigmoid_backward_acc, 0.0f, 1.0f,
                 [](float y) { return std::fabs(y) * (1.0 + std::fabs(y)); });
}

BOOST_AUTO_TEST_CASE(relu_backward_acc) {
  check_backward("relu_backward_acc", ops::relu_backward_acc, ops::ref::relu_backward_acc, -1.0f, 1.0f,
                 [](float) { return 0.0; });  // gx + gy or gx + 0: no product, only 4u·|gx| of slack
}

BOOST_AUTO_TEST_CASE(empty_with_null_pointers) {
  ops::tanh(0, nullptr, nullptr);
  ops::sigmoid(0, nullptr, nullptr);
  ops::log(0, nullptr, nullptr);
  ops::tanh_backward_acc(0, nullptr, nullptr, nullptr);
  ops::relu_backward_acc(0, nullptr, nullptr, nullptr);
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
