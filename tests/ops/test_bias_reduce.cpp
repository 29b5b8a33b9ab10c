// Bias broadcast, column sums and full reductions against their scalar twins.
//
// add_bias is one addition per element and colsum_acc sums each column from 0 over the rows in order, exactly like
// the twin: both must match bit for bit. sum/mean accumulate in float (blocks and vector lanes) while the twin
// accumulates in double: we allow 1e-7·Σ|x| + 1e-6. Inputs have magnitudes in [0.5, 1), so a dropped or doubled
// element (error ≥ 0.5) is far outside that tolerance at every size tested.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/bias.hpp"
#include "ops/error.hpp"
#include "ops/reduce.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

// rows×cols shapes: every count 0…70 as rows and as columns, and a few large ones (some past the OpenMP threshold).
std::vector<std::pair<index_t, index_t>> matrix_shapes() {
  std::vector<std::pair<index_t, index_t>> shapes;
  for (index_t n = 0; n <= 70; ++n) {
    shapes.emplace_back(n, 3);
    shapes.emplace_back(3, n);
    shapes.emplace_back(n, n);
  }
  for (auto s : {std::pair<index_t, index_t>{1000, 37}, {37, 1000}, {700, 130}, {4099, 17}, {1, 70001}, {70001, 1}})
    shapes.push_back(s);
  return shapes;
}

std::string label(const std::string& name, index_t rows, index_t cols) {
  return name + " (" + std::to_string(rows) + "×" + std::to_string(cols) + ")";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bias)

BOOST_AUTO_TEST_CASE(add_bias) {
  Random rng(301);
  for (auto [rows, cols] : matrix_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), b = rng.buffer(cols, -1.0f, 1.0f);
    Buffer got(rows * cols), want(rows * cols), in_place(x);
    ops::add_bias(rows, cols, x.data(), b.data(), got.data());
    ops::add_bias(rows, cols, in_place.data(), b.data(), in_place.data());
    ops::ref::add_bias(rows, cols, x.data(), b.data(), want.data());
    test::check_equal(got.span(), want.span(), label("add_bias", rows, cols));
    test::check_equal(in_place.span(), want.span(), label("add_bias in place", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(colsum_acc) {
  Random rng(302);
  for (auto [rows, cols] : matrix_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), y0 = rng.buffer(cols, -1.0f, 1.0f);
    Buffer got(y0), want(y0);
    ops::colsum_acc(rows, cols, x.data(), got.data());
    ops::ref::colsum_acc(rows, cols, x.data(), want.data());
    test::check_equal(got.span(), want.span(), label("colsum_acc", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(empty_with_null_pointers) {
  ops::add_bias(0, 5, nullptr, nullptr, nullptr);
  ops::add_bias(5, 0, nullptr, nullptr, nullptr);
  ops::colsum_acc(0, 5, nullptr, nullptr);
  ops::colsum_acc(5, 0, nullptr, nullptr);
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reduce)

BOOST_AUTO_TEST_CASE(sum_and_mean) {
  Random rng(303);
  std::vector<index_t> sizes = test::kernel_sizes();
  sizes.push_back(1 << 20);  // many blocks, both threads busy
  for (index_t n : sizes)
    for (index_t offset : {0, 1}) {
      const Buffer x = rng.signed_buffer(n, 0.5f, 1.0f, offset);
      double magnitude = 0.0;
      for (float v : x) magnitude += std::fabs(v);
      const double tolerance = 1e-7 * magnitude + 1e-6;
      const float got = ops::sum(n, x.data()), want = ops::ref::sum(n, x.data());
      BOOST_TEST(std::fabs(static_cast<double>(got) - want) <= tolerance,
                 "sum n = " << n << " offset = " << offset << ": " << got << " vs " << want);
      if (n > 0) {
        const float got_mean = ops::mean(n, x.data()), want_mean = ops::ref::mean(n, x.data());
        const double mean_tolerance =
            tolerance / static_cast<double>(n) + 2 * test::kUnitRoundoff * std::fabs(want_mean);
        BOOST_TEST(std::fabs(static_cast<double>(got_mean) - want_mean) <= mean_tolerance,
                   "mean n = " << n << ": " << got_mean << " vs " << want_mean);
      }
    }
}

BOOST_AUTO_TEST_CASE(sum_of_nothing_is_zero) { BOOST_TEST(ops::sum(0, nullptr) == 0.0f); }

BOOST_AUTO_TEST_CASE(mean_of_nothing_throws) {
  BOOST_CHECK_THROW(ops::mean(0, nullptr), UsageError);
  BOOST_CHECK_THROW(ops::ref::mean(0, nullptr), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
