// Gradient checking: compares the tape's analytic gradients with central differences.
//
// For a function f of some input tensors, gradcheck contracts f's output with fixed random weights w (so every
// output element matters, and e.g. softmax, whose plain sum is constant, is still tested):
//     L(x) = Σ_i w_i · f(x)_i                               (accumulated in double)
// then compares, element by element of every input,
//     analytic ∂L/∂x_j   (one backward pass with seed w)
//     numeric  (L(x + h e_j) − L(x − h e_j)) / (2h)         (h measured on the float grid actually used)
// and passes when |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|) everywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

struct GradcheckOptions {
  double step = 1e-2;  // h; float32 forward passes make smaller steps noisier, not more accurate
  double rtol = 1e-2;
  double atol = 1e-3;
  std::uint64_t seed = 12345;  // for the contraction weights w
};

struct GradcheckResult {
  bool passed = true;
  std::size_t checked = 0;   // elements compared
  std::size_t failures = 0;  // elements outside tolerance
  double max_abs_error = 0;
  double max_rel_error = 0;
  // The worst element (largest error relative to its tolerance):
  std::size_t worst_input = 0;
  index_t worst_element = 0;
  double worst_analytic = 0;
  double worst_numeric = 0;
  std::string report;  // one paragraph naming the worst element
};

// f records its computation on the tape from the inputs (given as variables) and returns its output.
using GradcheckFunction = std::function<Var(Tape&, std::span<const Var>)>;

GradcheckResult gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// The same for leaves whose storage lives outside the tape — parameters of a layer: f records its computation
// reading them (tape.parameter on their own value and gradient buffers) and returns the output. gradcheck zeroes
// each grad buffer, runs one backward with seed w and reads the analytic gradient there; it perturbs each value in
// place, one element at a time, and restores it. Values and gradients are left as they were found, except that
// the gradients are overwritten with the analytic gradient of L.
struct GradcheckLeaf {
  float* value;
  float* grad;
  Shape shape;
  std::string name;  // for the report
};
using GradcheckRecorder = std::function<Var(Tape&)>;
GradcheckResult gradcheck_leaves(const GradcheckRecorder& f, const std::vector<GradcheckLeaf>& leaves,
                                 const GradcheckOptions& options = {});

}  // namespace tapegrad::autograd
