// Bias broadcast, column sums and full reductions (the sum, the sum of squares of a vector kept in runs) against their
// scalar twins.
//
// add_bias is one addition per element and colsum_acc sums each column from 0 over the rows in order, exactly like
// the twin: both must match bit for bit. sum/mean accumulate in float (blocks and vector lanes) while the twin
// accumulates in double: we allow 1e-7·Σ|x| + 1e-6. Inputs have magnitudes in [0.5, 1), so a dropped or doubled
// element (error ≥ 0.5) is far outside that tolerance at every size tested.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/bias.hpp"
#include "ops/error.hpp"
#include "ops/parallel.hpp"
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

// Besides matrix_shapes: column counts that make several blocks of 2048 per thread with a ragged last block and a
// scalar tail, row counts around the group of 4; on 1, 2 and 3 threads (uneven shares of the columns).
BOOST_AUTO_TEST_CASE(colsum_acc) {
  Random rng(302);
  auto shapes = matrix_shapes();
  for (auto s : {std::pair<index_t, index_t>{23, 6151}, {5, 4096}, {9, 12289}, {700, 2049}}) shapes.push_back(s);
  for (int threads : {1, 2, 3}) {
    ops::set_num_threads(threads);
    for (auto [rows, cols] : shapes) {
      const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), y0 = rng.buffer(cols, -1.0f, 1.0f);
      Buffer got(y0), want(y0);
      ops::colsum_acc(rows, cols, x.data(), got.data());
      ops::ref::colsum_acc(rows, cols, x.data(), want.data());
      test::check_equal(got.span(), want.span(),
                        label("colsum_acc", rows, cols) + ", " + std::to_string(threads) + " thread(s)");
    }
  }
  ops::set_automatic_threads();
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

// ops::SumOfSquares against its twin (the documented tree written out position by position), bit for bit, for the
// vector fed whole and cut into random runs that skip its zero stretches, on 1 and 2 threads; and against a long
// double sum within the rounding bound of that tree, so that a tree both got wrong the same way still fails. Sizes
// cross the chunk (32768) and the batch of whole chunks (64 chunks, 2 M floats), with offsets inside a chunk.
namespace {

// The vector: values of magnitude [0.5, 1) with zero stretches of random length between them.
Buffer vector_with_gaps(Random& rng, index_t n) {
  Buffer x = rng.signed_buffer(n, 0.5f, 1.0f);
  for (index_t i = 0; i < n;) {
    const index_t gap = rng.integer(0, 3) == 0 ? rng.integer(1, 3000) : 0;
    for (index_t j = i; j < std::min(n, i + gap); ++j) x[j] = 0.0f;
    i += gap + rng.integer(1, 5000);
  }
  return x;
}

// Σ over runs that cover every non-zero of x[0, n) (placed at `base`): random cuts, zero stretches left out.
double fed_in_runs(Random& rng, const Buffer& x, index_t base) {
  ops::SumOfSquares squares;
  const index_t n = x.size();
  index_t i = 0;
  while (i < n) {
    while (i < n && x[i] == 0.0f && rng.integer(0, 1) == 0) ++i;  // skip (some of) a zero stretch
    if (i == n) break;
    const index_t len = std::min(n - i, rng.integer(1, 3) == 1 ? rng.integer(1, 40) : rng.integer(1, 200000));
    squares.add(x.data() + i, base + i, len);
    i += len;
  }
  return squares.total();
}

}  // namespace

BOOST_AUTO_TEST_CASE(sum_of_squares) {
  Random rng(305);
  std::vector<index_t> sizes = test::kernel_sizes();
  for (index_t n : {index_t{32767}, index_t{32768}, index_t{32769}, index_t{100003}, index_t{64 * 32768 + 4099}})
    sizes.push_back(n);
  for (index_t n : sizes)
    for (index_t base : {index_t{0}, index_t{5}, index_t{32768 - 3}}) {
      const Buffer x = vector_with_gaps(rng, n);
      const std::string what = "n = " + std::to_string(n) + " at " + std::to_string(base);
      const double want = ops::ref::sum_of_squares(n, x.data(), base);
      for (int threads : {1, 2}) {
        ops::set_num_threads(threads);
        ops::SumOfSquares whole;
        whole.add(x.data(), base, n);
        BOOST_TEST(whole.total() == want, what << ", one run, " << threads << " thread(s)");
        BOOST_TEST(fed_in_runs(rng, x, base) == want, what << ", random runs, " << threads << " thread(s)");
      }
      ops::set_automatic_threads();
      long double exact = 0.0L;
      for (float v : x) exact += static_cast<long double>(v) * v;
      // each addition rounds once: at most (additions on the longest path) · 2⁻⁵³ · Σ, with lanes, chunk and total
      const double path = static_cast<double>(ops::kSquaresChunk / 8 + n / ops::kSquaresChunk + 4);
      BOOST_TEST(std::fabs(want - static_cast<double>(exact)) <= path * 0x1p-53 * static_cast<double>(exact) + 1e-300,
                 what << ": " << want << " vs " << static_cast<double>(exact));
    }
}

BOOST_AUTO_TEST_CASE(sum_of_squares_of_nothing_is_zero) {
  ops::SumOfSquares squares;
  BOOST_TEST(squares.total() == 0.0);
  squares.add(nullptr, 10, 0);
  BOOST_TEST(squares.total() == 0.0);
}

BOOST_AUTO_TEST_CASE(sum_of_squares_refuses_bad_runs) {
  const std::vector<float> x(10, 1.0f);
  const auto message = [&](auto&& feed) {
    ops::SumOfSquares squares;
    try {
      feed(squares);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string overlap = message([&](ops::SumOfSquares& s) {
    s.add(x.data(), 100, 10);
    s.add(x.data(), 105, 3);
  });
  BOOST_TEST(overlap.find("offset 105") != std::string::npos, overlap);
  BOOST_TEST(overlap.find("before the end of the previous run (110)") != std::string::npos, overlap);
  const std::string negative = message([&](ops::SumOfSquares& s) { s.add(x.data(), -1, 3); });
  BOOST_TEST(negative.find("negative") != std::string::npos, negative);
  const std::string null = message([&](ops::SumOfSquares& s) { s.add(nullptr, 0, 3); });
  BOOST_TEST(null.find("no data") != std::string::npos, null);
  const std::string past =
      message([&](ops::SumOfSquares& s) { s.add(x.data(), std::numeric_limits<index_t>::max(), 2); });
  BOOST_TEST(past.find("past the largest index") != std::string::npos, past);
  // the last positions there are: accepted, and summed like any others
  ops::SumOfSquares last;
  last.add(x.data(), std::numeric_limits<index_t>::max() - 3, 3);
  BOOST_TEST(last.total() == 3.0);
}

BOOST_AUTO_TEST_CASE(sum_of_nothing_is_zero) { BOOST_TEST(ops::sum(0, nullptr) == 0.0f); }

BOOST_AUTO_TEST_CASE(mean_of_nothing_throws) {
  BOOST_CHECK_THROW(ops::mean(0, nullptr), UsageError);
  BOOST_CHECK_THROW(ops::ref::mean(0, nullptr), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
