// OpenMP policy: kernels parallelise only outer loops, only above a work threshold, with static schedules, so a
// fixed thread count always splits work the same way (bit-identical results run to run).
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

// Below this many elements (or multiply-adds) a kernel runs on the calling thread: a fork costs more than it saves.
inline constexpr index_t kParallelThreshold = index_t{1} << 15;

// Thread counts beyond this many per processor only add contention (and very large ones crash the OpenMP runtime).
inline constexpr int kMaxThreadsPerProcessor = 4;

int num_threads();            // threads kernels may use (OpenMP's max threads)
int max_threads();            // the largest count set_num_threads accepts: kMaxThreadsPerProcessor × processors
void set_num_threads(int n);  // 1 ≤ n ≤ max_threads(); throws UsageError otherwise

}  // namespace tapegrad::ops
