// Initialisers: reproducible from a seed, the documented ranges and variances, orthogonality.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "nn/init.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
namespace init = tapegrad::nn::init;

namespace {
// max |(MᵀM − I)_ij| over the columns of t (rows × cols, rows ≥ cols), or over its rows when by_rows.
double orthogonality_error(const Tensor& t, bool by_rows, index_t col0 = 0, index_t width = -1) {
  const index_t rows = t.shape()[0], ld = t.shape()[1];
  if (width < 0) width = ld;
  double worst = 0;
  const index_t n = by_rows ? rows : width, len = by_rows ? width : rows;
  const auto at = [&](index_t vec, index_t k) { return by_rows ? t[vec * ld + col0 + k] : t[k * ld + col0 + vec]; };
  for (index_t a = 0; a < n; ++a)
    for (index_t b = 0; b < n; ++b) {
      double dot = 0;
      for (index_t k = 0; k < len; ++k) dot += static_cast<double>(at(a, k)) * at(b, k);
      worst = std::max(worst, std::fabs(dot - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(initialisers)

BOOST_AUTO_TEST_CASE(same_seed_same_values) {
  Tensor a(Shape{7, 5}), b(Shape{7, 5}), c(Shape{7, 5});
  Rng r1(9), r2(9), r3(10);
  init::xavier_uniform(a, r1);
  init::xavier_uniform(b, r2);
  init::xavier_uniform(c, r3);
  bool differs = false;
  for (index_t i = 0; i < a.numel(); ++i) {
    BOOST_TEST(a[i] == b[i]);
    differs = differs || a[i] != c[i];
  }
  BOOST_TEST(differs);
}

// U(−a, a) with a = √(6/(fan_in + fan_out)) = √(6/500) ≈ 0.1095 for 200 × 300; its variance is a²/3 = 2/500.
// 60,000 samples: the sample variance is within 2% of the true one with overwhelming probability.
BOOST_AUTO_TEST_CASE(xavier_range_and_variance) {
  Tensor w(Shape{200, 300});
  Rng rng(3);
  init::xavier_uniform(w, rng);
  const double a = std::sqrt(6.0 / 500.0);
  double sq = 0;
  for (index_t i = 0; i < w.numel(); ++i) {
    BOOST_TEST_REQUIRE(std::fabs(w[i]) <= a);
    sq += static_cast<double>(w[i]) * w[i];
  }
  BOOST_TEST(std::fabs(sq / static_cast<double>(w.numel()) / (2.0 / 500.0) - 1.0) < 0.02);
  Tensor vector(Shape{5});
  BOOST_CHECK_THROW(init::xavier_uniform(vector, rng), ShapeError);
}

BOOST_AUTO_TEST_CASE(orthogonal_columns_or_rows) {
  Rng rng(5);
  Tensor tall(Shape{40, 13}), wide(Shape{13, 40}), square(Shape{32, 32});
  init::orthogonal(tall, rng);
  init::orthogonal(wide, rng);
  init::orthogonal(square, rng);
  BOOST_TEST(orthogonality_error(tall, false) < 1e-5);
  BOOST_TEST(orthogonality_error(wide, true) < 1e-5);
  BOOST_TEST(orthogonality_error(square, false) < 1e-5);
  BOOST_TEST(orthogonality_error(square, true) < 1e-5);
}

// A fused LSTM recurrent weight: four square H × H gate blocks, each orthogonal on its own.
BOOST_AUTO_TEST_CASE(orthogonal_gate_blocks) {
  Rng rng(6);
  Tensor w(Shape{16, 64});
  init::orthogonal_blocks(w, 16, rng);
  for (index_t block = 0; block < 4; ++block) BOOST_TEST(orthogonality_error(w, false, block * 16, 16) < 1e-5);
  BOOST_CHECK_THROW(init::orthogonal_blocks(w, 15, rng), ShapeError);
}

BOOST_AUTO_TEST_CASE(uniform_and_normal_ranges) {
  Rng rng(8);
  Tensor u(Shape{10000}), n(Shape{10000});
  init::uniform(u, -0.1f, 0.1f, rng);
  init::normal(n, 2.0f, 0.5f, rng);
  double mean = 0, var = 0;
  for (index_t i = 0; i < u.numel(); ++i) BOOST_TEST_REQUIRE((u[i] >= -0.1f && u[i] < 0.1f));
  for (index_t i = 0; i < n.numel(); ++i) mean += n[i];
  mean /= 10000.0;
  for (index_t i = 0; i < n.numel(); ++i) var += (n[i] - mean) * (n[i] - mean);
  var /= 10000.0;
  BOOST_TEST(std::fabs(mean - 2.0) < 0.03);   // σ/√n = 0.005
  BOOST_TEST(std::fabs(var - 0.25) < 0.015);  // ≈ 0.25·√(2/n) = 0.0035
}

BOOST_AUTO_TEST_SUITE_END()
