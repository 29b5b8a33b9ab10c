// gradcheck: analytic gradients from one backward pass against central differences of a random contraction.
#include "autograd/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "ops/elementwise.hpp"

namespace tapegrad::autograd {

namespace {

double contract(ConstTensorView out, const Tensor& weights) {
  double total = 0;
  for (index_t i = 0; i < out.numel(); ++i) total += static_cast<double>(weights[i]) * out[i];
  return total;
}

Tensor contraction_weights(const Shape& shape, std::uint64_t seed) {
  Tensor weights(shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (index_t i = 0; i < weights.numel(); ++i) weights[i] = uniform(rng);
  return weights;
}

std::string position(const Shape& shape, index_t element) {
  if (shape.rank() <= 1) return "[" + std::to_string(element) + "]";
  return "[row " + std::to_string(element / shape.cols()) + ", col " + std::to_string(element % shape.cols()) + "]";
}

// What is differentiated: tensors the function reads at every evaluation, and their analytic gradients.
struct Target {
  float* value;
  Shape shape;
  std::string name;
  Tensor analytic;
};

// Central differences of L = Σ w ⊙ run(tape), one target element at a time, against the analytic gradients.
GradcheckResult compare(Tape& tape, const std::function<Var(Tape&)>& run, std::vector<Target>& targets,
                        const Tensor& weights, const GradcheckOptions& options) {
  GradcheckResult result;
  double worst_ratio = -1;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    float* x = targets[k].value;
    for (index_t j = 0; j < targets[k].shape.numel(); ++j) {
      const float original = x[j];
      const float plus = static_cast<float>(original + options.step);
      const float minus = static_cast<float>(original - options.step);
      x[j] = plus;
      tape.clear();
      const double l_plus = contract(run(tape).value(), weights);
      x[j] = minus;
      tape.clear();
      const double l_minus = contract(run(tape).value(), weights);
      x[j] = original;

      const double numeric = (l_plus - l_minus) / (static_cast<double>(plus) - static_cast<double>(minus));
      const double a = targets[k].analytic[j];
      const double abs_err = std::fabs(a - numeric);
      const double scale = std::max(std::fabs(a), std::fabs(numeric));
      const double rel_err = scale > 0 ? abs_err / scale : 0;
      const double tolerance = options.atol + options.rtol * scale;
      ++result.checked;
      result.max_abs_error = std::max(result.max_abs_error, abs_err);
      result.max_rel_error = std::max(result.max_rel_error, rel_err);
      if (!(abs_err <= tolerance)) ++result.failures;  // NaN counts as a failure
      const double ratio = std::isnan(abs_err) ? INFINITY
                           : tolerance > 0     ? abs_err / tolerance
                           : abs_err > 0       ? INFINITY
                                               : 0;
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

  char buf[640];
  if (result.checked == 0) {
    std::snprintf(buf, sizeof buf, "gradcheck: nothing to check (all inputs empty)");
  } else {
    const Target& worst = targets[result.worst_input];
    std::snprintf(buf, sizeof buf,
                  "gradcheck %s: %zu of %zu elements outside tolerance (atol %.1e, rtol %.1e, step %.1e); "
                  "worst: %s (%s) element %s: analytic %.6g, numeric %.6g (abs err %.3g); "
                  "max abs err %.3g, max rel err %.3g",
                  result.passed ? "passed" : "FAILED", result.failures, result.checked, options.atol, options.rtol,
                  options.step, worst.name.c_str(), worst.shape.str().c_str(),
                  position(worst.shape, result.worst_element).c_str(), result.worst_analytic, result.worst_numeric,
                  std::fabs(result.worst_analytic - result.worst_numeric), result.max_abs_error, result.max_rel_error);
  }
  result.report = buf;
  return result;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  std::vector<Tensor> perturbed(inputs.begin(), inputs.end());
  std::vector<Var> vars;
  const auto run = [&](Tape& tape) {  // f on fresh variables holding the (perturbed) inputs
    vars.clear();
    for (const Tensor& t : perturbed) vars.push_back(tape.variable(t));
    return f(tape, vars);
  };

  // Analytic: one backward pass with seed w.
  Tape tape;
  Var out = run(tape);
  const Tensor weights = contraction_weights(out.shape(), options.seed);
  tape.backward(out, weights.view());
  std::vector<Target> targets;
  for (std::size_t k = 0; k < perturbed.size(); ++k) {
    const Node& n = tape.node(vars[k]);  // an input the output does not depend on has gradient zero
    targets.push_back({perturbed[k].data(), perturbed[k].shape(), "input " + std::to_string(k),
                       n.grad ? Tensor(tape.grad(vars[k])) : Tensor(n.shape)});
  }
  return compare(tape, run, targets, weights, options);
}

GradcheckResult gradcheck_leaves(const GradcheckRecorder& f, const std::vector<GradcheckLeaf>& leaves,
                                 const GradcheckOptions& options) {
  for (const GradcheckLeaf& leaf : leaves) ops::fill(leaf.shape.numel(), 0.0f, leaf.grad);
  Tape tape;
  Var out = f(tape);
  const Tensor weights = contraction_weights(out.shape(), options.seed);
  tape.backward(out, weights.view());
  std::vector<Target> targets;
  for (const GradcheckLeaf& leaf : leaves)
    targets.push_back({leaf.value, leaf.shape, leaf.name, Tensor(ConstTensorView{leaf.grad, leaf.shape})});
  return compare(tape, f, targets, weights, options);
}

}  // namespace tapegrad::autograd
