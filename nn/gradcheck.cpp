// Parameter gradient checks: each Parameter as a gradcheck leaf.
#include "nn/gradcheck.hpp"

namespace tapegrad::nn {

autograd::GradcheckResult gradcheck_parameters(const std::vector<Parameter*>& params,
                                               const std::function<autograd::Var(autograd::Tape&)>& f,
                                               const autograd::GradcheckOptions& options) {
  std::vector<autograd::GradcheckLeaf> leaves;
  for (Parameter* p : params) leaves.push_back({p->value().data(), p->grad().data(), p->shape(), p->name()});
  return autograd::gradcheck_leaves(f, leaves, options);
}

}  // namespace tapegrad::nn
