// Node statistics shared by the dump and the diagrams.
#include "autograd/node_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tapegrad::autograd {

ValueStats value_stats(const Node& n) {
  ValueStats s;
  const index_t count = n.shape.numel();
  if (count == 0 || !n.value) return s;
  double total = 0;
  for (index_t i = 0; i < count; ++i) {
    total += n.value[i];
    s.max_abs = std::max(s.max_abs, std::fabs(static_cast<double>(n.value[i])));
  }
  s.mean = total / static_cast<double>(count);
  return s;
}

double grad_norm(const Node& n) {
  if (!n.grad) return 0;
  double sq = 0;
  const index_t count = n.shape.numel();
  for (index_t i = 0; i < count; ++i) sq += static_cast<double>(n.grad[i]) * n.grad[i];
  return std::sqrt(sq);
}

std::string format_stat(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

}  // namespace tapegrad::autograd
