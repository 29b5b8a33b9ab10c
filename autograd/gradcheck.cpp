// gradcheck: analytic gradients from one backward pass against central differences of a random contraction.
#include "autograd/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace tapegrad::autograd {

namespace {

// Runs f on fresh variables holding `inputs` and returns the output node.
Var evaluate(Tape& tape, const GradcheckFunction& f, std::span<const Tensor> inputs, std::vector<Var>& vars) {
  tape.clear();
  vars.clear();
  for (const Tensor& t : inputs) vars.push_back(tape.variable(t));
  return f(tape, vars);
}

double contract(ConstTensorView out, const Tensor& weights) {
  double total = 0;
  for (index_t i = 0; i < out.numel(); ++i) total += static_cast<double>(weights[i]) * out[i];
  return total;
}

std::string position(const Shape& shape, index_t element) {
  if (shape.rank() <= 1) return "[" + std::to_string(element) + "]";
  return "[row " + std::to_string(element / shape.cols()) + ", col " + std::to_string(element % shape.cols()) + "]";
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  Tape tape;
  std::vector<Var> vars;
  GradcheckResult result;

  // Analytic: one backward pass with seed w.
  Var out = evaluate(tape, f, inputs, vars);
  Tensor weights(out.shape());
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (index_t i = 0; i < weights.numel(); ++i) weights[i] = uniform(rng);
  std::vector<Tensor> analytic;
  tape.backward(out, weights.view());
  for (const Var& v : vars) {
    // An input the output does not depend on has gradient zero.
    const Node& n = tape.node(v);
    analytic.push_back(n.grad ? Tensor(tape.grad(v)) : Tensor(n.shape));
  }

  // Numeric: central differences, one input element at a time.
  std::vector<Tensor> perturbed(inputs.begin(), inputs.end());
  double worst_ratio = -1;
  for (std::size_t k = 0; k < perturbed.size(); ++k) {
    Tensor& x = perturbed[k];
    for (index_t j = 0; j < x.numel(); ++j) {
      const float original = x[j];
      const float plus = static_cast<float>(original + options.step);
      const float minus = static_cast<float>(original - options.step);
      x[j] = plus;
      const double l_plus = contract(evaluate(tape, f, perturbed, vars).value(), weights);
      x[j] = minus;
      const double l_minus = contract(evaluate(tape, f, perturbed, vars).value(), weights);
      x[j] = original;

      const double numeric = (l_plus - l_minus) / (static_cast<double>(plus) - static_cast<double>(minus));
      const double a = analytic[k][j];
      const double abs_err = std::fabs(a - numeric);
      const double scale = std::max(std::fabs(a), std::fabs(numeric));
      const double rel_err = scale > 0 ? abs_err / scale : 0;
      const double tolerance = options.atol + options.rtol * scale;
      ++result.checked;
      result.max_abs_error = std::max(result.max_abs_error, abs_err);
      result.max_rel_error = std::max(result.max_rel_error, rel_err);
      if (!(abs_err <= tolerance)) ++result.failures;  // NaN counts as a failure
      const double ratio = std::isnan(abs_err) ? INFINITY : tolerance > 0 ? abs_err / tolerance : abs_err > 0 ? INFINITY : 0;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        result.worst_input = k;
        result.worst_element = j;
        result.worst_analytic = a;
        result.worst_numeric = numeric;
      }
    }
  }
  result.passed = result.failures == 0;

  char buf[512];
  if (result.checked == 0) {
    std::snprintf(buf, sizeof buf, "gradcheck: nothing to check (all inputs empty)");
  } else {
    const Shape& shape = inputs[result.worst_input].shape();
    std::snprintf(buf, sizeof buf,
                  "gradcheck %s: %zu of %zu elements outside tolerance (atol %.1e, rtol %.1e, step %.1e); "
                  "worst: input %zu (%s) element %s: analytic %.6g, numeric %.6g (abs err %.3g); "
                  "max abs err %.3g, max rel err %.3g",
                  result.passed ? "passed" : "FAILED", result.failures, result.checked, options.atol, options.rtol,
                  options.step, result.worst_input, shape.str().c_str(),
                  position(shape, result.worst_element).c_str(), result.worst_analytic, result.worst_numeric,
                  std::fabs(result.worst_analytic - result.worst_numeric), result.max_abs_error,
                  result.max_rel_error);
  }
  result.report = buf;
  return result;
}

}  // namespace tapegrad::autograd
