// OpenMP thread-count policy: how many threads kernels may use, and changing it (within bounds).
#include "ops/parallel.hpp"

#include <omp.h>

#include <string>

#include "ops/error.hpp"

namespace tapegrad::ops {

int num_threads() { return omp_get_max_threads(); }

int max_threads() { return kMaxThreadsPerProcessor * (omp_get_num_procs() > 0 ? omp_get_num_procs() : 1); }

void set_num_threads(int n) {
  if (n < 1 || n > max_threads())
    throw UsageError("set_num_threads: the thread count must be between 1 and " + std::to_string(max_threads()) + " (" +
                     std::to_string(kMaxThreadsPerProcessor) + " per processor), got " + std::to_string(n));
  omp_set_num_threads(n);
}

}  // namespace tapegrad::ops
