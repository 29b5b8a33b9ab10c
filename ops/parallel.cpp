// OpenMP thread-count policy: a fixed count (set_num_threads, OMP_NUM_THREADS) or the automatic count that follows
// the cores other processes leave free (ops/parallel.hpp, ops/cpu_load.hpp).
#include "ops/parallel.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "ops/cpu_load.hpp"
#include "ops/error.hpp"

namespace tapegrad::ops {
namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The process-wide policy. Created on first use, before any set_num_threads, so `ceiling` is OpenMP's own default
// (the processors it may use, or OMP_NUM_THREADS).
class Policy {
 public:
  Policy()
      : ceiling_(std::max(1, omp_get_max_threads())),
        cpus_(allowed_cpus()),
        ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))) {
    fixed_by_env_ = omp_num_threads_set(std::getenv("OMP_NUM_THREADS"));
    automatic_ = !fixed_by_env_;
    threads_ = ceiling_;
    if (automatic_) start_automatic();
  }

  int threads() {
    if (automatic_.load(std::memory_order_relaxed)) {
      const double now = seconds_now();
      if (now >= next_refresh_.load(std::memory_order_relaxed)) refresh(now);
    }
    return threads_.load(std::memory_order_relaxed);
  }

  void set_fixed(int n) {
    std::lock_guard lock(mutex_);
    automatic_ = false;
    threads_ = n;
    omp_set_num_threads(n);
  }

  void set_automatic() {
    std::lock_guard lock(mutex_);
    omp_set_num_threads(ceiling_);
    if (fixed_by_env_) {
      automatic_ = false;
      threads_ = ceiling_;
      return;
    }
    automatic_ = true;
    start_automatic();
  }

  bool automatic() const { return automatic_.load(std::memory_order_relaxed); }

 private:
  int ceiling() const { return std::min<int>(ceiling_, static_cast<int>(cpus_.size())); }

  // The first estimate: tasks runnable right now besides this thread (this process has no other running threads
  // yet, or they are parked between regions).
  void start_automatic() {
    const int others = other_running_tasks();
    threads_ = others < 0 ? ceiling() : automatic_thread_count(others, ceiling());
    last_ = sample_load(cpus_);
    next_refresh_ = last_.wall + kLoadRefreshSeconds;
  }

  void refresh(double now) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || !automatic_ || now < next_refresh_) return;
    const LoadSample s = sample_load(cpus_);
    if (s.busy_ticks >= 0 && last_.busy_ticks >= 0)
      threads_ = automatic_thread_count(others_busy_cores(last_, s, ticks_per_second_), ceiling());
    last_ = s;
    next_refresh_ = s.wall + kLoadRefreshSeconds;
  }

  const int ceiling_;
  const std::vector<int> cpus_;
  const double ticks_per_second_;
  bool fixed_by_env_ = false;
  std::mutex mutex_;
  std::atomic<bool> automatic_{false};
  std::atomic<int> threads_{1};
  std::atomic<double> next_refresh_{0.0};
  LoadSample last_;
};

Policy& policy() {
  static Policy p;
  return p;
}

}  // namespace

int automatic_thread_count(double others_busy_cores, int cpus) {
  cpus = std::max(1, cpus);
  if (!(others_busy_cores >= 0)) others_busy_cores = 0;  // NaN or negative: nothing known to be busy
  const double free = static_cast<double>(cpus) - others_busy_cores;
  return std::clamp(static_cast<int>(std::floor(free + 0.25)), 1, cpus);
}

bool omp_num_threads_set(const char* value) { return value != nullptr && value[0] != '\0'; }

int num_threads() { return policy().threads(); }

int threads_for(index_t work, index_t threshold) { return work > threshold ? num_threads() : 1; }

int max_threads() { return kMaxThreadsPerProcessor * (omp_get_num_procs() > 0 ? omp_get_num_procs() : 1); }

void set_num_threads(int n) {
  if (n < 1 || n > max_threads())
    throw UsageError("set_num_threads: the thread count must be between 1 and " + std::to_string(max_threads()) + " (" +
                     std::to_string(kMaxThreadsPerProcessor) + " per processor), got " + std::to_string(n));
  policy().set_fixed(n);
}

void set_automatic_threads() { policy().set_automatic(); }

bool automatic_threads() { return policy().automatic(); }

}  // namespace tapegrad::ops
