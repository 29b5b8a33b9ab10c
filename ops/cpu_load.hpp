// How busy the processors this process may run on are with OTHER processes: the input of the automatic thread count
// (ops/parallel.hpp). Two sources, both Linux /proc files:
//   - /proc/loadavg's fourth field "running/total": tasks runnable right now (a snapshot, used once at start-up,
//     before this process has any OpenMP threads of its own; minus 1 for the calling thread);
//   - /proc/stat's per-CPU "cpuN user nice system idle iowait irq softirq steal …" counters (clock ticks): busy time
//     on our CPUs over an interval, minus this process's own CPU time over the same interval, divided by the
//     interval = cores that other processes kept busy. Our own spinning OpenMP workers count as ours, not others'.
// The parsers are pure functions on text so tests can feed them any content.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::ops {

// Runnable tasks in /proc/loadavg content ("0.15 0.95 1.51 3/93 10627" → 3); -1 if the text does not parse.
int parse_running_tasks(const std::string& loadavg);

// Busy ticks (user + nice + system + irq + softirq + steal) summed over the "cpuN" lines of /proc/stat content whose
// N is in `cpus` (the aggregate "cpu" line is skipped); -1 if a listed CPU has no well-formed line.
long long parse_busy_ticks(const std::string& stat, const std::vector<int>& cpus);

// The CPUs this process may run on (sched_getaffinity), in increasing order; at least one.
std::vector<int> allowed_cpus();

// Cores kept busy by other processes between two samples: (Δbusy ticks / ticks per second − Δown CPU seconds) /
// Δwall seconds, at least 0.
struct LoadSample {
  double wall = 0;           // seconds (steady clock)
  double own_cpu = 0;        // this process's CPU seconds
  long long busy_ticks = 0;  // parse_busy_ticks over allowed CPUs
};
LoadSample sample_load(const std::vector<int>& cpus);  // busy_ticks = -1 when /proc/stat is unreadable
double others_busy_cores(const LoadSample& before, const LoadSample& after, double ticks_per_second);

// Runnable tasks of other processes right now (/proc/loadavg, minus the caller); -1 when unreadable.
int other_running_tasks();

}  // namespace tapegrad::ops
