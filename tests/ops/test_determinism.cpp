// Thread policy and determinism. Reductions (sum, colsum_acc, gemm's k sums, softmax row sums) are defined by fixed
// blocks combined in a fixed order, so their results must be bit-identical with 1 and 2 threads and from run to run;
// this is checked on inputs large enough that the OpenMP paths run.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/bias.hpp"
#include "ops/error.hpp"
#include "ops/gemm.hpp"
#include "ops/parallel.hpp"
#include "ops/reduce.hpp"
#include "ops/softmax.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

// Runs f with `threads` kernel threads, then restores the previous setting.
template <class F>
auto with_threads(int threads, F f) {
  const int before = ops::num_threads();
  ops::set_num_threads(threads);
  auto result = f();
  ops::set_num_threads(before);
  return result;
}

std::vector<float> to_vector(const Buffer& b) { return {b.begin(), b.end()}; }

// f() for 1 thread, 2 threads, and 2 threads again: all three bit-identical.
template <class F>
void check_thread_independent(const char* what, F f) {
  const auto one = with_threads(1, f);
  const auto two = with_threads(2, f);
  const auto again = with_threads(2, f);
  BOOST_TEST((one == two), what << ": 1 thread and 2 threads differ");
  BOOST_TEST((two == again), what << ": two runs with 2 threads differ");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(determinism)

BOOST_AUTO_TEST_CASE(thread_count_setting) {
  BOOST_TEST(ops::num_threads() >= 1);
  BOOST_CHECK_THROW(ops::set_num_threads(0), UsageError);
  BOOST_CHECK_THROW(ops::set_num_threads(-3), UsageError);
  const int before = ops::num_threads();
  ops::set_num_threads(1);
  BOOST_TEST(ops::num_threads() == 1);
  ops::set_num_threads(before);
  BOOST_TEST(ops::num_threads() == before);
}

BOOST_AUTO_TEST_CASE(sum_is_thread_count_independent) {
  Random rng(701);
  const index_t n = (1 << 20) + 13;
  const Buffer x = rng.buffer(n, -1.0f, 1.0f);
  check_thread_independent("sum", [&] { return ops::sum(n, x.data()); });
}

BOOST_AUTO_TEST_CASE(colsum_is_thread_count_independent) {
  Random rng(702);
  const index_t rows = 700, cols = 1001;
  const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), y0 = rng.buffer(cols, -1.0f, 1.0f);
  check_thread_independent("colsum_acc", [&] {
    Buffer y(y0);
    ops::colsum_acc(rows, cols, x.data(), y.data());
    return to_vector(y);
  });
}

BOOST_AUTO_TEST_CASE(gemm_is_thread_count_independent) {
  Random rng(703);
  for (index_t m : {20, 301})
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const index_t n = 517, k = 700;
      const Buffer a = rng.buffer(m * k, -1.0f, 1.0f), b = rng.buffer(k * n, -1.0f, 1.0f);
      const Buffer c0 = rng.buffer(m * n, -1.0f, 1.0f);
      check_thread_independent("gemm", [&] {
        Buffer c(c0);
        ops::gemm(ta, tb, m, n, k, 0.8f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.5f, c.data(), n);
        return to_vector(c);
      });
    }
}

BOOST_AUTO_TEST_CASE(softmax_xent_is_thread_count_independent) {
  Random rng(704);
  const index_t rows = 70, cols = 1000;
  const Buffer x = rng.buffer(rows * cols, -5.0f, 5.0f);
  const auto targets = rng.ids(rows, cols);
  check_thread_independent("softmax_xent", [&] {
    Buffer loss(rows), lse(rows), gx(rows * cols);
    for (float& v : gx) v = 0.0f;
    ops::softmax_xent_forward(rows, cols, x.data(), targets.data(), loss.data(), lse.data());
    ops::softmax_xent_backward_acc(rows, cols, x.data(), targets.data(), lse.data(), 0.5f, gx.data());
    std::vector<float> all = to_vector(loss);
    all.insert(all.end(), gx.begin(), gx.end());
    return all;
  });
}

BOOST_AUTO_TEST_SUITE_END()
