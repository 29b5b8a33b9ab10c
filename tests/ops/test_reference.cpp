// The scalar twins themselves, on tiny cases computed by hand: the other kernel tests trust them as the yardstick.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>

#include "ops/reference.hpp"

namespace {

using namespace tapegrad;

constexpr double kEps = 1e-6;

}  // namespace

BOOST_AUTO_TEST_SUITE(reference)

// softmax([0, ln 3]) = [1/4, 3/4]; log_softmax = [−ln 4, ln 3 − ln 4]
BOOST_AUTO_TEST_CASE(softmax_by_hand) {
  const float x[2] = {0.0f, static_cast<float>(std::log(3.0))};
  float y[2], logy[2];
  ops::ref::softmax_rows(1, 2, x, y);
  ops::ref::log_softmax_rows(1, 2, x, logy);
  BOOST_TEST(std::fabs(y[0] - 0.25) < kEps);
  BOOST_TEST(std::fabs(y[1] - 0.75) < kEps);
  BOOST_TEST(std::fabs(logy[0] + std::log(4.0)) < kEps);
  BOOST_TEST(std::fabs(logy[1] - std::log(0.75)) < kEps);
}

// Same logits, target 1: lse = ln 4, loss = −ln(3/4); backward with scale 2: 2·([1/4, 3/4] − [0, 1]) = [0.5, −0.5]
BOOST_AUTO_TEST_CASE(softmax_xent_by_hand) {
  const float x[2] = {0.0f, static_cast<float>(std::log(3.0))};
  const std::int32_t target[1] = {1};
  float loss[1], lse[1], gx[2] = {1.0f, 1.0f};
  ops::ref::softmax_xent_forward(1, 2, x, target, loss, lse);
  BOOST_TEST(std::fabs(lse[0] - std::log(4.0)) < kEps);
  BOOST_TEST(std::fabs(loss[0] + std::log(0.75)) < kEps);
  ops::ref::softmax_xent_backward_acc(1, 2, x, target, lse, 2.0f, gx);
  BOOST_TEST(std::fabs(gx[0] - 1.5) < kEps);
  BOOST_TEST(std::fabs(gx[1] - 0.5) < kEps);
}

// softmax backward, y = [1/4, 3/4], gy = [1, 0]: ⟨gy, y⟩ = 1/4, gx = y ⊙ (gy − 1/4) = [3/16, −3/16]
BOOST_AUTO_TEST_CASE(softmax_backward_by_hand) {
  const float y[2] = {0.25f, 0.75f}, gy[2] = {1.0f, 0.0f};
  float gx[2] = {0.0f, 0.0f};
  ops::ref::softmax_backward_acc(1, 2, y, gy, gx);
  BOOST_TEST(std::fabs(gx[0] - 3.0 / 16) < kEps);
  BOOST_TEST(std::fabs(gx[1] + 3.0 / 16) < kEps);
}

// [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]], then with transposes, α = 2 and β = 1 over C = 1.
BOOST_AUTO_TEST_CASE(gemm_by_hand) {
  const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
  float c[4];
  ops::ref::gemm(false, false, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
  BOOST_TEST(c[0] == 19.0f);
  BOOST_TEST(c[1] == 22.0f);
  BOOST_TEST(c[2] == 43.0f);
  BOOST_TEST(c[3] == 50.0f);
  // Aᵀ·B = [[1,3],[2,4]]·[[5,6],[7,8]] = [[26,30],[38,44]]
  ops::ref::gemm(true, false, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
  BOOST_TEST(c[0] == 26.0f);
  BOOST_TEST(c[1] == 30.0f);
  BOOST_TEST(c[2] == 38.0f);
  BOOST_TEST(c[3] == 44.0f);
  // A·Bᵀ = [[1,2],[3,4]]·[[5,7],[6,8]] = [[17,23],[39,53]]; 2·that + 1
  float d[4] = {1, 1, 1, 1};
  ops::ref::gemm(false, true, 2, 2, 2, 2.0f, a, 2, b, 2, 1.0f, d, 2);
  BOOST_TEST(d[0] == 35.0f);
  BOOST_TEST(d[1] == 47.0f);
  BOOST_TEST(d[2] == 79.0f);
  BOOST_TEST(d[3] == 107.0f);
  // A (1×3) · B (3×1), k = 3, with leading dimensions above the minimum: 1·4 + 2·5 + 3·6 = 32
  const float row[4] = {1, 2, 3, -99}, col[6] = {4, -99, 5, -99, 6, -99};
  float dot[1] = {NAN};
  ops::ref::gemm(false, false, 1, 1, 3, 1.0f, row, 4, col, 2, 0.0f, dot, 1);
  BOOST_TEST(dot[0] == 32.0f);
}

BOOST_AUTO_TEST_CASE(reductions_and_bias_by_hand) {
  const float x[6] = {1, 2, 3, 4, 5, 6.5f};
  BOOST_TEST(ops::ref::sum(6, x) == 21.5f);
  BOOST_TEST(ops::ref::mean(4, x) == 2.5f);
  float cols[3] = {1, 1, 1};
  ops::ref::colsum_acc(2, 3, x, cols);  // [1+4, 2+5, 3+6.5] + 1
  BOOST_TEST(cols[0] == 6.0f);
  BOOST_TEST(cols[1] == 8.0f);
  BOOST_TEST(cols[2] == 10.5f);
  const float b[3] = {10, 20, 30};
  float y[6];
  ops::ref::add_bias(2, 3, x, b, y);
  BOOST_TEST(y[0] == 11.0f);
  BOOST_TEST(y[5] == 36.5f);
}

BOOST_AUTO_TEST_CASE(activations_by_hand) {
  const float x[3] = {0.0f, -2.0f, 2.0f};
  float y[3];
  ops::ref::sigmoid(3, x, y);
  BOOST_TEST(y[0] == 0.5f);
  BOOST_TEST(std::fabs(y[1] + y[2] - 1.0) < kEps);  // σ(−x) = 1 − σ(x)
  ops::ref::tanh(3, x, y);
  BOOST_TEST(y[0] == 0.0f);
  BOOST_TEST(std::fabs(y[2] - 0.9640275800758169) < kEps);
  ops::ref::relu(3, x, y);
  BOOST_TEST((y[0] == 0.0f && y[1] == 0.0f && y[2] == 2.0f));
  const float ty[2] = {0.5f, -0.5f}, gy[2] = {2.0f, 4.0f};
  float gx[2] = {1.0f, 1.0f};
  ops::ref::tanh_backward_acc(2, ty, gy, gx);  // 1 + g·(1 − 1/4)
  BOOST_TEST(gx[0] == 2.5f);
  BOOST_TEST(gx[1] == 4.0f);
  const float q[1] = {3.0f}, bq[1] = {2.0f}, gq[1] = {1.0f};
  float gb[1] = {0.0f};
  ops::ref::div_rhs_backward_acc(1, gq, q, bq, gb);  // −1·3/2
  BOOST_TEST(gb[0] == -1.5f);
}

// 2×3 → 3×2, and concat of [a | b] with widths 1 and 2.
BOOST_AUTO_TEST_CASE(layout_by_hand) {
  const float x[6] = {1, 2, 3, 4, 5, 6};
  float t[6];
  ops::ref::transpose(2, 3, x, t);
  const float want_t[6] = {1, 4, 2, 5, 3, 6};
  for (int i = 0; i < 6; ++i) BOOST_TEST(t[i] == want_t[i]);
  const float a[2] = {7, 8}, b[4] = {1, 2, 3, 4};
  const float* parts[2] = {a, b};
  const index_t widths[2] = {1, 2};
  float y[6];
  ops::ref::concat_cols(2, parts, widths, y);
  const float want_y[6] = {7, 1, 2, 8, 3, 4};
  for (int i = 0; i < 6; ++i) BOOST_TEST(y[i] == want_y[i]);
  float s[2];
  ops::ref::slice_cols(2, 3, 1, 1, x, s);
  BOOST_TEST((s[0] == 2.0f && s[1] == 5.0f));
}

BOOST_AUTO_TEST_SUITE_END()
