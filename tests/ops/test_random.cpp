// Rng: the xoshiro256** sequence against the published reference outputs, reproducibility from a seed and from a
// saved state, and the distributions' ranges and moments.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "ops/error.hpp"
#include "ops/random.hpp"

using tapegrad::Rng;

BOOST_AUTO_TEST_SUITE(rng)

// The reference xoshiro256** from state {1, 2, 3, 4} (worked by hand from the algorithm's definition).
BOOST_AUTO_TEST_CASE(matches_reference_sequence) {
  Rng rng;
  rng.set_state({1, 2, 3, 4});
  const std::vector<std::uint64_t> expected = {11520u, 0u, 1509978240u, 1215971899390074240u};
  for (std::uint64_t e : expected) BOOST_TEST(rng.next_u64() == e);
}

BOOST_AUTO_TEST_CASE(same_seed_same_numbers_and_state_restores) {
  Rng a(42), b(42), c(43);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next_u64();
    BOOST_TEST(x == b.next_u64());
    any_difference = any_difference || x != c.next_u64();
  }
  BOOST_TEST(any_difference);
  const Rng::State saved = a.state();
  const float first = a.normal();
  a.uniform();
  a.set_state(saved);
  BOOST_TEST(a.normal() == first);
}

BOOST_AUTO_TEST_CASE(zero_state_is_rejected) {
  Rng rng;
  BOOST_CHECK_THROW(rng.set_state({0, 0, 0, 0}), tapegrad::UsageError);
  BOOST_CHECK_THROW(rng.uniform_int(0), tapegrad::UsageError);
}

// 200,000 draws: the sample mean of U[0,1) has standard deviation 0.29/√n ≈ 6.5e-4, so ±0.005 is > 7σ.
BOOST_AUTO_TEST_CASE(uniform_range_and_moments) {
  Rng rng(7);
  const int n = 200000;
  double sum = 0, sum_normal = 0, sum_normal_sq = 0;
  for (int i = 0; i < n; ++i) {
    const float u = rng.uniform();
    BOOST_TEST_REQUIRE((u >= 0.0f && u < 1.0f));
    sum += u;
    const double z = rng.normal();
    sum_normal += z;
    sum_normal_sq += z * z;
  }
  BOOST_TEST(std::fabs(sum / n - 0.5) < 0.005);
  BOOST_TEST(std::fabs(sum_normal / n) < 0.02);
  BOOST_TEST(std::fabs(sum_normal_sq / n - 1.0) < 0.02);
}

// Every value of [0, 7) appears with frequency 1/7 ± 0.01 over 70,000 draws (σ ≈ 0.0013), none outside.
BOOST_AUTO_TEST_CASE(uniform_int_covers_its_range_evenly) {
  Rng rng(3);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t k = rng.uniform_int(7);
    BOOST_TEST_REQUIRE(k < 7u);
    ++counts[k];
  }
  for (int c : counts) BOOST_TEST(std::fabs(c / double(n) - 1.0 / 7) < 0.01);
}

BOOST_AUTO_TEST_SUITE_END()
