// Summary numbers of one tape node — mean and max |x| of its value, ‖grad‖₂ of its gradient — and how they are
// printed. Shared by the text dump (dump.cpp) and the DOT export (dot.cpp), so both show the same numbers the same way.
#pragma once

#include <string>

#include "autograd/node.hpp"

namespace tapegrad::autograd {

struct ValueStats {
  double mean = 0;
  double max_abs = 0;
};

// Over the node's value in storage order (zeros for an empty tensor).
ValueStats value_stats(const Node& n);
// ‖grad‖₂ of the node's gradient from the latest backward; 0 when it has none (n.grad is null).
double grad_norm(const Node& n);
// A statistic as printed: 4 significant digits ("%.4g").
std::string format_stat(double x);

}  // namespace tapegrad::autograd
