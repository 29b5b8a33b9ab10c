// OpenMP policy: kernels parallelise only outer loops, only above a work threshold, with static schedules, so a
// fixed thread count always splits work the same way (and the kernels are written so that the thread count changes
// no sum: results are bit-identical for any count).
//
// How many threads (docs/performance.md, "Threads on a busy machine"):
//   - set_num_threads(n) (the CLI's --threads n) fixes the count;
//   - OMP_NUM_THREADS in the environment fixes it too (OpenMP's own setting, honoured as given);
//   - otherwise the count is automatic: the CPUs this process may run on (sched_getaffinity) minus the cores other
//     processes keep busy, at least 1. At start-up "busy" is the runnable tasks of /proc/loadavg; after that it is
//     re-measured at most every kLoadRefreshSeconds from /proc/stat (others' CPU time on our CPUs over the interval).
//     A region whose threads share a core with a busy process waits a scheduler time slice at its barrier, so one
//     thread fewer than the cores costs little and one too many cost 1.5–14× here (600× in the report).
// OMP_WAIT_POLICY and GOMP_SPINCOUNT are read by the OpenMP runtime itself when the program starts; we leave them
// alone (setting them from inside the program is too late for libgomp).
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

// Below this many elements a kernel runs on the calling thread: a fork costs more than it saves.
inline constexpr index_t kParallelThreshold = index_t{1} << 15;

// Thread counts beyond this many per processor only add contention (and very large ones crash the OpenMP runtime).
inline constexpr int kMaxThreadsPerProcessor = 4;

// The automatic count follows other processes' load, re-measured at most this often.
inline constexpr double kLoadRefreshSeconds = 0.5;

int num_threads();            // threads a kernel above its threshold uses now
int threads_for(index_t work, index_t threshold = kParallelThreshold);  // 1 if work ≤ threshold, else num_threads()
int max_threads();            // the largest count set_num_threads accepts: kMaxThreadsPerProcessor × processors
void set_num_threads(int n);  // 1 ≤ n ≤ max_threads(); throws UsageError otherwise. Turns the automatic count off.
void set_automatic_threads();  // back to the automatic count (unless OMP_NUM_THREADS is set: then its value)
bool automatic_threads();      // whether the count follows the load now

// The automatic rule: cpus − others, rounded down unless within 0.25 of the next core, clamped to 1 … cpus.
//   others = 0 → cpus; 0.3 → cpus − 1; 1.0 → cpus − 1; ≥ cpus − 0.75 → 1
int automatic_thread_count(double others_busy_cores, int cpus);

// Whether OMP_NUM_THREADS fixes the count ("" or unset: no).
bool omp_num_threads_set(const char* value);

}  // namespace tapegrad::ops
