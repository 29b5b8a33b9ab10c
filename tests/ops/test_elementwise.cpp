// Elementwise kernels against their scalar twins on every length 0…70 and a few past the OpenMP threshold, from an
// aligned and from an unaligned (offset by one float) start, and in place (y == a) for the forward kernels.
//
// Tolerances: the forward kernels (+ − × ÷, negation, scaling, fill) are one IEEE operation per element, so they must
// match bit for bit. The accumulating kernels compute y + t for a product or quotient t; the compiler may fuse the
// multiply and the add (FMA) in one version and not the other, which changes the result by at most one rounding of t
// and one of the sum: we allow 2u·(|y| + |t|), u = 2^−24.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "kernel_test_util.hpp"
#include "ops/elementwise.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

using Binary = void (*)(index_t, const float*, const float*, float*);
using Unary = void (*)(index_t, const float*, float*);

std::string label(const std::string& name, index_t n, index_t offset) {
  return name + " (n = " + std::to_string(n) + ", offset = " + std::to_string(offset) + ")";
}

// y = f(a, b): out of place and in place, aligned and unaligned, bit-exact against the twin.
void check_binary(const std::string& name, Binary fast, Binary ref, bool divisor) {
  Random rng(101);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer a = rng.buffer(n, -2.0f, 2.0f, offset);
      const Buffer b = divisor ? rng.signed_buffer(n, 0.5f, 2.0f, offset) : rng.buffer(n, -2.0f, 2.0f, offset);
      Buffer got(n, offset), want(n, offset);
      fast(n, a.data(), b.data(), got.data());
      ref(n, a.data(), b.data(), want.data());
      test::check_equal(got.span(), want.span(), label(name, n, offset));
      Buffer in_place(a);
      fast(n, in_place.data(), b.data(), in_place.data());
      test::check_equal(in_place.span(), want.span(), label(name + " in place", n, offset));
    }
}

// y = f(x), the same way.
void check_unary(const std::string& name, Unary fast, Unary ref) {
  Random rng(102);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer x = rng.buffer(n, -2.0f, 2.0f, offset);
      Buffer got(n, offset), want(n, offset);
      fast(n, x.data(), got.data());
      ref(n, x.data(), want.data());
      test::check_equal(got.span(), want.span(), label(name, n, offset));
      Buffer in_place(x);
      fast(n, in_place.data(), in_place.data());
      test::check_equal(in_place.span(), want.span(), label(name + " in place", n, offset));
    }
}

// An accumulating kernel: run(fast?, y) adds into y; term(i) is the value added at i (for the tolerance).
template <class Run, class Term>
void check_accumulate(const std::string& name, index_t n, index_t offset, const Buffer& y0, Run run, Term term) {
  Buffer got(y0), want(y0);
  run(true, got.data());
  run(false, want.data());
  test::check_close(
      got.span(), want.span(),
      [&](std::size_t i) {
        return 2 * test::kUnitRoundoff * (std::fabs(y0[static_cast<index_t>(i)]) + std::fabs(term(i)));
      },
      label(name, n, offset));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(elementwise)

BOOST_AUTO_TEST_CASE(add) { check_binary("add", ops::add, ops::ref::add, false); }
BOOST_AUTO_TEST_CASE(sub) { check_binary("sub", ops::sub, ops::ref::sub, false); }
BOOST_AUTO_TEST_CASE(mul) { check_binary("mul", ops::mul, ops::ref::mul, false); }
BOOST_AUTO_TEST_CASE(div) { check_binary("div", ops::div, ops::ref::div, true); }
BOOST_AUTO_TEST_CASE(neg) { check_unary("neg", ops::neg, ops::ref::neg); }

BOOST_AUTO_TEST_CASE(scale) {
  check_unary(
      "scale", [](index_t n, const float* x, float* y) { ops::scale(n, -1.7f, x, y); },
      [](index_t n, const float* x, float* y) { ops::ref::scale(n, -1.7f, x, y); });
}

BOOST_AUTO_TEST_CASE(add_scalar) {
  check_unary(
      "add_scalar", [](index_t n, const float* x, float* y) { ops::add_scalar(n, 0.3f, x, y); },
      [](index_t n, const float* x, float* y) { ops::ref::add_scalar(n, 0.3f, x, y); });
}

BOOST_AUTO_TEST_CASE(fill) {
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      Buffer got(n + 1, offset), want(n + 1, offset);
      got[n] = want[n] = 7.0f;  // one past the end: must survive
      ops::fill(n, -2.5f, got.data());
      ops::ref::fill(n, -2.5f, want.data());
      test::check_equal(got.span(), want.span(), label("fill", n, offset));
    }
}

BOOST_AUTO_TEST_CASE(axpy) {
  Random rng(103);
  const float alpha = 0.75f;
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer x = rng.buffer(n, -1.0f, 1.0f, offset), y0 = rng.buffer(n, -1.0f, 1.0f, offset);
      check_accumulate(
          "axpy", n, offset, y0,
          [&](bool fast, float* y) { (fast ? ops::axpy : ops::ref::axpy)(n, alpha, x.data(), y); },
          [&](std::size_t i) { return alpha * x.data()[i]; });
    }
}

// SGD's update by a clipped gradient relies on the exact bits: s·x rounded to float, then y + α·(that).
BOOST_AUTO_TEST_CASE(scaled_axpy) {
  Random rng(113);
  const float alpha = -0.75f, s = 0.3f;
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer x = rng.buffer(n, -1.0f, 1.0f, offset), y0 = rng.buffer(n, -1.0f, 1.0f, offset);
      Buffer got(y0), want(y0), composed(y0), sx(x);
      ops::scaled_axpy(n, alpha, s, x.data(), got.data());
      ops::ref::scaled_axpy(n, alpha, s, x.data(), want.data());
      test::check_equal(got.span(), want.span(), label("scaled_axpy", n, offset));
      ops::ref::scale(n, s, x.data(), sx.data());  // the same as two kernels: sx = s·x, then y += α·sx
      ops::ref::axpy(n, alpha, sx.data(), composed.data());
      test::check_equal(got.span(), composed.span(), label("scaled_axpy against scale + axpy", n, offset));
    }
}

BOOST_AUTO_TEST_CASE(mul_acc) {
  Random rng(104);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer a = rng.buffer(n, -1.0f, 1.0f, offset), b = rng.buffer(n, -1.0f, 1.0f, offset);
      const Buffer y0 = rng.buffer(n, -1.0f, 1.0f, offset);
      check_accumulate(
          "mul_acc", n, offset, y0,
          [&](bool fast, float* y) { (fast ? ops::mul_acc : ops::ref::mul_acc)(n, a.data(), b.data(), y); },
          [&](std::size_t i) { return a.data()[i] * b.data()[i]; });
    }
}

BOOST_AUTO_TEST_CASE(div_acc) {
  Random rng(105);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer a = rng.buffer(n, -1.0f, 1.0f, offset), b = rng.signed_buffer(n, 0.5f, 2.0f, offset);
      const Buffer y0 = rng.buffer(n, -1.0f, 1.0f, offset);
      check_accumulate(
          "div_acc", n, offset, y0,
          [&](bool fast, float* y) { (fast ? ops::div_acc : ops::ref::div_acc)(n, a.data(), b.data(), y); },
          [&](std::size_t i) { return a.data()[i] / b.data()[i]; });
    }
}

BOOST_AUTO_TEST_CASE(add_scalar_acc) {
  Random rng(106);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer y0 = rng.buffer(n, -1.0f, 1.0f, offset);
      Buffer got(y0), want(y0);
      ops::add_scalar_acc(n, 0.125f, got.data());
      ops::ref::add_scalar_acc(n, 0.125f, want.data());
      test::check_equal(got.span(), want.span(), label("add_scalar_acc", n, offset));
    }
}

BOOST_AUTO_TEST_CASE(div_rhs_backward_acc) {
  Random rng(107);
  for (index_t n : test::kernel_sizes())
    for (index_t offset : {0, 1}) {
      const Buffer gq = rng.buffer(n, -1.0f, 1.0f, offset), q = rng.buffer(n, -1.0f, 1.0f, offset);
      const Buffer b = rng.signed_buffer(n, 0.5f, 2.0f, offset), gb0 = rng.buffer(n, -1.0f, 1.0f, offset);
      check_accumulate(
          "div_rhs_backward_acc", n, offset, gb0,
          [&](bool fast, float* gb) {
            (fast ? ops::div_rhs_backward_acc : ops::ref::div_rhs_backward_acc)(n, gq.data(), q.data(), b.data(), gb);
          },
          [&](std::size_t i) { return gq.data()[i] * q.data()[i] / b.data()[i]; });
    }
}

// n = 0 with null pointers: nothing may be touched.
BOOST_AUTO_TEST_CASE(empty_with_null_pointers) {
  ops::add(0, nullptr, nullptr, nullptr);
  ops::div(0, nullptr, nullptr, nullptr);
  ops::scale(0, 2.0f, nullptr, nullptr);
  ops::fill(0, 1.0f, nullptr);
  ops::axpy(0, 2.0f, nullptr, nullptr);
  ops::div_rhs_backward_acc(0, nullptr, nullptr, nullptr, nullptr);
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
