// Gradient checks of layers: central differences with respect to a module's parameters (autograd::gradcheck_leaves
// over each Parameter's own storage). f records a computation that uses the parameters (through Parameter::var)
// and returns its output; the report names the worst parameter by its full name. Afterwards the parameters hold
// their original values and their gradients hold the analytic gradient of the check's random contraction.
#pragma once

#include <functional>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "nn/module.hpp"

namespace tapegrad::nn {

autograd::GradcheckResult gradcheck_parameters(const std::vector<Parameter*>& params,
                                               const std::function<autograd::Var(autograd::Tape&)>& f,
                                               const autograd::GradcheckOptions& options = {});

inline autograd::GradcheckResult gradcheck_module(Module& module,
                                                  const std::function<autograd::Var(autograd::Tape&)>& f,
                                                  const autograd::GradcheckOptions& options = {}) {
  return gradcheck_parameters(module.parameters(), f, options);
}

}  // namespace tapegrad::nn
