// Softmax, log-softmax, their backward rules and the fused softmax + cross-entropy, against the scalar twins (which
// normalise in double). Shapes: 3×n and n×5 for every n in 1…70, 0-row and 0-column edges, and a few large shapes
// (past the OpenMP threshold, and one 70001-column row).
//
// Tolerances: the fast kernels sum e^{x−m} in float over vector lanes (≤ cols/16 terms per lane) with xsimd's exp
// (≤ 4 ulp): probabilities within 2e-6 relative + 1e-12 absolute; log-probabilities and lse within 2e-6·(1 + |value|)
// (the log of a sum carries its relative error as an absolute one). Backward rules: 2e-6 of the magnitudes involved.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/reference.hpp"
#include "ops/softmax.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

constexpr double kTol = 2e-6;

std::vector<std::pair<index_t, index_t>> row_shapes() {
  std::vector<std::pair<index_t, index_t>> shapes;
  for (index_t n = 1; n <= 70; ++n) {
    shapes.emplace_back(3, n);
    shapes.emplace_back(n, 5);
  }
  for (auto s : {std::pair<index_t, index_t>{0, 7}, {700, 1000}, {40, 4099}, {2, 70001}, {4099, 3}})
    shapes.push_back(s);
  return shapes;
}

std::string label(const std::string& name, index_t rows, index_t cols) {
  return name + " (" + std::to_string(rows) + "×" + std::to_string(cols) + ")";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(softmax)

BOOST_AUTO_TEST_CASE(softmax_rows) {
  Random rng(501);
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -20.0f, 20.0f);
    Buffer got(rows * cols), want(rows * cols), in_place(x);
    ops::softmax_rows(rows, cols, x.data(), got.data());
    ops::softmax_rows(rows, cols, in_place.data(), in_place.data());
    ops::ref::softmax_rows(rows, cols, x.data(), want.data());
    // Both divide by a float sum of `cols` terms summed in different orders (lanes vs one by one), whose rounding
    // error grows like √cols ulps: allowed for, beside kTol.
    const double rtol = kTol + 2.0 * std::sqrt(static_cast<double>(cols)) * 0x1p-24;
    test::check_close(got.span(), want.span(), rtol, 1e-12, label("softmax_rows", rows, cols));
    test::check_equal(in_place.span(), got.span(), label("softmax_rows in place", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(log_softmax_rows) {
  Random rng(502);
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -20.0f, 20.0f);
    Buffer got(rows * cols), want(rows * cols);
    ops::log_softmax_rows(rows, cols, x.data(), got.data());
    ops::ref::log_softmax_rows(rows, cols, x.data(), want.data());
    test::check_close(got.span(), want.span(), kTol, kTol, label("log_softmax_rows", rows, cols));
  }
}

// Huge logits: the maximum is subtracted first, so nothing overflows. softmax([1000, 1001]) = [1/(1+e), e/(1+e)].
BOOST_AUTO_TEST_CASE(large_logits_are_stable) {
  const float x[4] = {1000.0f, 1001.0f, -1000.0f, -1001.0f};
  float y[4], logy[4];
  ops::softmax_rows(2, 2, x, y);
  ops::log_softmax_rows(2, 2, x, logy);
  const double e = std::exp(1.0);
  const double want[4] = {1 / (1 + e), e / (1 + e), e / (1 + e), 1 / (1 + e)};
  for (int i = 0; i < 4; ++i) {
    BOOST_TEST(std::fabs(y[i] - want[i]) <= 1e-6, "softmax element " << i << " = " << y[i]);
    BOOST_TEST(std::fabs(logy[i] - std::log(want[i])) <= 1e-6, "log_softmax element " << i << " = " << logy[i]);
  }
}

BOOST_AUTO_TEST_CASE(softmax_backward_acc) {
  Random rng(503);
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -5.0f, 5.0f), gy = rng.buffer(rows * cols, -1.0f, 1.0f);
    const Buffer gx0 = rng.buffer(rows * cols, -1.0f, 1.0f);
    Buffer y(rows * cols);
    ops::ref::softmax_rows(rows, cols, x.data(), y.data());
    Buffer got(gx0), want(gx0);
    ops::softmax_backward_acc(rows, cols, y.data(), gy.data(), got.data());
    ops::ref::softmax_backward_acc(rows, cols, y.data(), gy.data(), want.data());
    // gx + y·(gy − ⟨gy, y⟩): |⟨gy, y⟩| ≤ 1 since y sums to 1 and |gy| ≤ 1
    test::check_close(
        got.span(), want.span(),
        [&](std::size_t i) { return kTol * (std::fabs(gx0.data()[i]) + std::fabs(y.data()[i]) * 2.0); },
        label("softmax_backward_acc", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(log_softmax_backward_acc) {
  Random rng(504);
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -5.0f, 5.0f), gy = rng.buffer(rows * cols, -1.0f, 1.0f);
    const Buffer gx0 = rng.buffer(rows * cols, -1.0f, 1.0f);
    Buffer y(rows * cols);
    ops::ref::log_softmax_rows(rows, cols, x.data(), y.data());
    Buffer got(gx0), want(gx0);
    ops::log_softmax_backward_acc(rows, cols, y.data(), gy.data(), got.data());
    ops::ref::log_softmax_backward_acc(rows, cols, y.data(), gy.data(), want.data());
    // gx + gy − e^y·Σgy: |Σgy| ≤ cols, so the last term is up to cols·e^y
    const auto width = static_cast<double>(cols);
    test::check_close(
        got.span(), want.span(),
        [&](std::size_t i) { return kTol * (std::fabs(gx0.data()[i]) + 1.0 + std::exp(y.data()[i]) * width); },
        label("log_softmax_backward_acc", rows, cols));
  }
}

// loss[r] = −log softmax(x)[r, t_r], checked against the twin's softmax (an independent route to the same number),
// and lse against the twin's lse.
BOOST_AUTO_TEST_CASE(softmax_xent_forward) {
  Random rng(505);
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -10.0f, 10.0f);
    const auto targets = rng.ids(rows, cols);
    Buffer loss(rows), lse(rows), want_loss(rows), want_lse(rows), probs(rows * cols);
    ops::softmax_xent_forward(rows, cols, x.data(), targets.data(), loss.data(), lse.data());
    ops::ref::softmax_xent_forward(rows, cols, x.data(), targets.data(), want_loss.data(), want_lse.data());
    ops::ref::softmax_rows(rows, cols, x.data(), probs.data());
    test::check_close(lse.span(), want_lse.span(), kTol, kTol, label("softmax_xent_forward lse", rows, cols));
    test::check_close(loss.span(), want_loss.span(), kTol, kTol, label("softmax_xent_forward loss", rows, cols));
    for (index_t r = 0; r < rows; ++r) {
      const double p = probs[r * cols + targets[static_cast<std::size_t>(r)]];
      if (p < 1e-30) continue;  // underflowed in float: −log p is not representable that way
      const double from_probs = -std::log(p);
      if (!(std::fabs(loss[r] - from_probs) <= 1e-5 * (1.0 + from_probs))) {
        BOOST_ERROR(label("softmax_xent_forward", rows, cols)
                    << ": row " << r << " loss " << loss[r] << " but −log p = " << from_probs);
        break;
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(softmax_xent_backward_acc) {
  Random rng(506);
  const float scale = 0.37f;
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -10.0f, 10.0f), gx0 = rng.buffer(rows * cols, -1.0f, 1.0f);
    const auto targets = rng.ids(rows, cols);
    Buffer loss(rows), lse(rows);
    ops::ref::softmax_xent_forward(rows, cols, x.data(), targets.data(), loss.data(), lse.data());
    Buffer got(gx0), want(gx0);
    ops::softmax_xent_backward_acc(rows, cols, x.data(), targets.data(), lse.data(), scale, got.data());
    ops::ref::softmax_xent_backward_acc(rows, cols, x.data(), targets.data(), lse.data(), scale, want.data());
    test::check_close(
        got.span(), want.span(), [&](std::size_t i) { return kTol * (std::fabs(gx0.data()[i]) + scale); },
        label("softmax_xent_backward_acc", rows, cols));
  }
}

// The writing form, into a separate buffer (prefilled with garbage that must not survive) and in place over the
// logits.
BOOST_AUTO_TEST_CASE(softmax_xent_backward_overwrite_and_in_place) {
  Random rng(507);
  const float scale = 0.37f;
  for (auto [rows, cols] : row_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -10.0f, 10.0f), garbage = rng.buffer(rows * cols, -5.0f, 5.0f);
    const auto targets = rng.ids(rows, cols);
    Buffer loss(rows), lse(rows);
    ops::ref::softmax_xent_forward(rows, cols, x.data(), targets.data(), loss.data(), lse.data());
    Buffer got(garbage), in_place(x), want(rows * cols);
    ops::softmax_xent_backward(rows, cols, x.data(), targets.data(), lse.data(), scale, got.data());
    ops::softmax_xent_backward(rows, cols, in_place.data(), targets.data(), lse.data(), scale, in_place.data());
    ops::ref::softmax_xent_backward(rows, cols, x.data(), targets.data(), lse.data(), scale, want.data());
    const auto tol = [&](std::size_t) { return kTol * scale; };
    test::check_close(got.span(), want.span(), tol, label("softmax_xent_backward", rows, cols));
    test::check_equal(in_place.span(), got.span(), label("softmax_xent_backward in place", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(empty_with_null_pointers) {
  ops::softmax_rows(0, 10, nullptr, nullptr);
  ops::softmax_rows(4, 0, nullptr, nullptr);
  ops::log_softmax_rows(0, 10, nullptr, nullptr);
  ops::softmax_backward_acc(0, 10, nullptr, nullptr, nullptr);
  ops::log_softmax_backward_acc(3, 0, nullptr, nullptr, nullptr);
  ops::softmax_xent_forward(0, 10, nullptr, nullptr, nullptr, nullptr);
  ops::softmax_xent_backward_acc(0, 10, nullptr, nullptr, nullptr, 1.0f, nullptr);
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
