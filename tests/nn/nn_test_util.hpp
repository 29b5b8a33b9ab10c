// Helpers for the nn tests: seeded random tensors (from tapegrad's Rng), relative errors between tensors, and a
// gradient-check assertion that prints the report on failure.
#pragma once

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "nn/gradcheck.hpp"
#include "ops/random.hpp"
#include "ops/tensor.hpp"

namespace tapegrad::nn_test {

inline Tensor random_tensor(const Shape& shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  for (index_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// ‖a − b‖₂ / max(‖b‖₂, tiny): the norm-wise relative error of a against b.
inline double relative_error(ConstTensorView a, ConstTensorView b) {
  BOOST_REQUIRE_EQUAL(a.numel(), b.numel());
  double diff = 0, norm = 0;
  for (index_t i = 0; i < a.numel(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    diff += d * d;
    norm += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

inline void expect_close(ConstTensorView got, ConstTensorView want, double tolerance, const std::string& what) {
  const double err = relative_error(got, want);
  BOOST_TEST(err <= tolerance, what << ": relative error " << err << " > " << tolerance);
}

inline void expect_gradcheck(const autograd::GradcheckResult& r, const std::string& what) {
  BOOST_TEST(r.passed, what << ": " << r.report);
  BOOST_TEST(r.checked > 0u, what << ": nothing was checked");
}

}  // namespace tapegrad::nn_test
