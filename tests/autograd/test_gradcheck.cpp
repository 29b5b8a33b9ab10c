// The gradient checker itself: it must pass correct gradients and catch wrong ones, naming the worst element.
#include <boost/test/unit_test.hpp>
#include <random>

#include "autograd/autograd.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::uniform_tensor;

BOOST_AUTO_TEST_SUITE(gradcheck_utility)

BOOST_AUTO_TEST_CASE(catches_a_wrong_gradient_and_names_the_worst_element) {
  // f(x) = Σ x ⊙ detach(x) has true derivative 2x, but the tape sees only x: every element is off by x.
  Tensor x(Shape{2, 3}, {0.1f, -0.2f, 0.3f, 2.0f, -0.5f, 0.6f});
  GradcheckResult r = gradcheck([](Tape&, std::span<const Var> v) { return sum(mul(v[0], detach(v[0]))); }, {x});
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.checked == 6u);
  BOOST_TEST(r.worst_input == 0u);
  BOOST_TEST(r.worst_element == 3);  // the largest |x| gives the largest error
  BOOST_TEST(r.report.find("FAILED") != std::string::npos, r.report);
  BOOST_TEST(r.report.find("row 1, col 0") != std::string::npos, r.report);
}

BOOST_AUTO_TEST_CASE(uses_random_weights_so_a_constant_sum_is_not_blind) {
  // Σ softmax(x) is 1 for every x: a checker that summed the output would see a zero gradient and miss a wrong
  // rule. With random weights the gradient is non-zero and checked.
  std::mt19937 rng(41);
  Tensor x = uniform_tensor(Shape{3, 5}, rng);
  GradcheckResult r = gradcheck([](Tape&, std::span<const Var> v) { return softmax(v[0]); }, {x});
  BOOST_TEST(r.passed, r.report);
  Tape tape;
  Var xv = tape.variable(x);
  tape.backward(sum(softmax(xv)));
  double largest = 0;
  for (index_t i = 0; i < x.numel(); ++i) largest = std::max(largest, std::abs(double(tape.grad(xv)[i])));
  BOOST_TEST(largest < 1e-6);  // what a plain sum would have compared
  BOOST_TEST(std::abs(r.worst_analytic) > 1e-3);
}

BOOST_AUTO_TEST_CASE(inputs_the_output_ignores_get_zero_gradient) {
  Tensor a(Shape{2}, {1.0f, 2.0f}), b(Shape{3}, {1.0f, 2.0f, 3.0f});
  GradcheckResult r = gradcheck([](Tape&, std::span<const Var> v) { return tanh(v[0]); }, {a, b});
  BOOST_TEST(r.passed, r.report);
  BOOST_TEST(r.checked == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
