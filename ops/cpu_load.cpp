// Reading how busy our CPUs are with other processes (/proc/loadavg, /proc/stat; see ops/cpu_load.hpp).
#include "ops/cpu_load.hpp"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace tapegrad::ops {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int parse_running_tasks(const std::string& loadavg) {
  std::istringstream in(loadavg);
  double a = 0, b = 0, c = 0;
  long long running = 0, total = 0;
  char slash = 0;
  if (!(in >> a >> b >> c >> running >> slash >> total) || slash != '/' || running < 0 || running > total) return -1;
  return static_cast<int>(std::min<long long>(running, 1 << 20));
}

long long parse_busy_ticks(const std::string& stat, const std::vector<int>& cpus) {
  std::istringstream in(stat);
  long long busy = 0;
  std::size_t found = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line.substr(3));
    int cpu = -1;
    long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(fields >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq)) continue;
    if (!(fields >> steal)) steal = 0;  // older kernels have no steal column
    if (!std::binary_search(cpus.begin(), cpus.end(), cpu)) continue;
    busy += user + nice + system + irq + softirq + steal;
    ++found;
  }
  return found == cpus.size() && !cpus.empty() ? busy : -1;
}

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

LoadSample sample_load(const std::vector<int>& cpus) {
  LoadSample s;
  s.busy_ticks = parse_busy_ticks(read_file("/proc/stat"), cpus);
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  s.own_cpu = static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  s.wall = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return s;
}

double others_busy_cores(const LoadSample& before, const LoadSample& after, double ticks_per_second) {
  const double wall = after.wall - before.wall;
  if (wall <= 0 || ticks_per_second <= 0 || before.busy_ticks < 0 || after.busy_ticks < 0) return 0.0;
  const double busy = static_cast<double>(after.busy_ticks - before.busy_ticks) / ticks_per_second;
  return std::max(0.0, (busy - (after.own_cpu - before.own_cpu)) / wall);
}

int other_running_tasks() {
  const int running = parse_running_tasks(read_file("/proc/loadavg"));
  return running < 0 ? -1 : std::max(0, running - 1);
}

}  // namespace tapegrad::ops
