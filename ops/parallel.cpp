// OpenMP thread-count policy: how many threads kernels may use, and changing it.
#include "ops/parallel.hpp"

#include <omp.h>

#include <string>

#include "ops/error.hpp"

namespace tapegrad::ops {

int num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  if (n < 1) throw UsageError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
  omp_set_num_threads(n);
}

}  // namespace tapegrad::ops
