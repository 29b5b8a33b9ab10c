// The automatic thread count (ops/parallel.hpp, ops/cpu_load.hpp): the rule from "cores other processes keep busy"
// to a thread count, the /proc parsers on fixed texts, the busy-core arithmetic, the switch between a fixed and the
// automatic count, and — with a real spinning child process — that the load of another process is seen.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>

#include "ops/cpu_load.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;

namespace {

// /proc/stat as a 2-CPU Linux machine writes it (the aggregate line first; cpu1 busy = 10+1+4+2+3+5 = 25).
const char* const kStat =
    "cpu  130 3 24 900 7 2 3 5 0 0\n"
    "cpu0 120 2 20 400 5 0 0 0 0 0\n"
    "cpu1 10 1 4 500 2 2 3 5 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 999\n"
    "cpu7x garbage\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(thread_policy)

BOOST_AUTO_TEST_CASE(the_automatic_rule_gives_up_a_core_to_each_busy_one) {
  BOOST_TEST(ops::automatic_thread_count(0.0, 2) == 2);
  BOOST_TEST(ops::automatic_thread_count(0.2, 2) == 2);  // a little background noise keeps both
  BOOST_TEST(ops::automatic_thread_count(0.3, 2) == 1);  // a third of a core busy already costs a thread
  BOOST_TEST(ops::automatic_thread_count(1.0, 2) == 1);
  BOOST_TEST(ops::automatic_thread_count(14.0, 2) == 1);  // never fewer than one
  BOOST_TEST(ops::automatic_thread_count(1.0, 8) == 7);
  BOOST_TEST(ops::automatic_thread_count(2.6, 8) == 5);
  BOOST_TEST(ops::automatic_thread_count(0.0, 1) == 1);
  BOOST_TEST(ops::automatic_thread_count(0.0, 0) == 1);    // a broken CPU count still gives one thread
  BOOST_TEST(ops::automatic_thread_count(-1.0, 4) == 4);  // nothing known busy
  BOOST_TEST(ops::automatic_thread_count(std::numeric_limits<double>::quiet_NaN(), 4) == 4);
}

BOOST_AUTO_TEST_CASE(loadavg_running_tasks_are_parsed) {
  BOOST_TEST(ops::parse_running_tasks("0.15 0.95 1.51 3/93 10627\n") == 3);
  BOOST_TEST(ops::parse_running_tasks("14.06 8.22 4.36 14/166 18708") == 14);
  BOOST_TEST(ops::parse_running_tasks("") == -1);
  BOOST_TEST(ops::parse_running_tasks("0.15 0.95 1.51 3 93 10627") == -1);  // no slash
  BOOST_TEST(ops::parse_running_tasks("0.15 0.95 1.51 94/93 10627") == -1);  // more running than exist
  BOOST_TEST(ops::parse_running_tasks("load is high") == -1);
}

BOOST_AUTO_TEST_CASE(stat_busy_ticks_sum_the_listed_cpus_only) {
  BOOST_TEST(ops::parse_busy_ticks(kStat, {1}) == 25);
  BOOST_TEST(ops::parse_busy_ticks(kStat, {0}) == 142);  // 120 + 2 + 20: idle and iowait are not busy
  BOOST_TEST(ops::parse_busy_ticks(kStat, {0, 1}) == 167);
  BOOST_TEST(ops::parse_busy_ticks(kStat, {1, 2}) == -1);  // a CPU without a line
  BOOST_TEST(ops::parse_busy_ticks(kStat, {}) == -1);
  BOOST_TEST(ops::parse_busy_ticks("", {0}) == -1);
  // a kernel without the steal column
  BOOST_TEST(ops::parse_busy_ticks("cpu  1 1 1 1 1 1 1\ncpu0 1 2 3 100 4 5 6\n", {0}) == 17);
}

BOOST_AUTO_TEST_CASE(others_busy_cores_subtract_our_own_cpu_time) {
  ops::LoadSample before, after;
  before.wall = 10.0, before.own_cpu = 1.0, before.busy_ticks = 1000;
  after.wall = 12.0, after.own_cpu = 2.0, after.busy_ticks = 1300;  // 3 s busy in 2 s, 1 s of it ours
  BOOST_TEST(ops::others_busy_cores(before, after, 100.0) == 1.0, boost::test_tools::tolerance(1e-12));
  after.own_cpu = 5.0;  // ours exceeds the busy ticks (tick rounding): clamped to 0
  BOOST_TEST(ops::others_busy_cores(before, after, 100.0) == 0.0);
  after.busy_ticks = -1;  // unreadable /proc/stat: nothing known
  BOOST_TEST(ops::others_busy_cores(before, after, 100.0) == 0.0);
  after = before;  // no time passed
  BOOST_TEST(ops::others_busy_cores(before, after, 100.0) == 0.0);
}

BOOST_AUTO_TEST_CASE(omp_num_threads_fixes_the_count_only_when_non_empty) {
  BOOST_TEST(!ops::omp_num_threads_set(nullptr));
  BOOST_TEST(!ops::omp_num_threads_set(""));
  BOOST_TEST(ops::omp_num_threads_set("2"));
}

BOOST_AUTO_TEST_CASE(a_fixed_count_stops_following_the_load_and_automatic_comes_back) {
  const int procs = static_cast<int>(ops::allowed_cpus().size());
  ops::set_num_threads(1);
  BOOST_TEST(!ops::automatic_threads());
  BOOST_TEST(ops::num_threads() == 1);
  ops::set_automatic_threads();
  BOOST_TEST(ops::automatic_threads() == !ops::omp_num_threads_set(std::getenv("OMP_NUM_THREADS")));
  BOOST_TEST(ops::num_threads() >= 1);
  if (ops::automatic_threads()) BOOST_TEST(ops::num_threads() <= procs);
  BOOST_TEST(ops::threads_for(ops::kParallelThreshold) == 1);  // at the threshold: no fork
  BOOST_TEST(ops::threads_for(10) == 1);
  ops::set_num_threads(2);
  BOOST_TEST(ops::threads_for(ops::kParallelThreshold + 1) == 2);
  BOOST_TEST(ops::threads_for(ops::kParallelThreshold) == 1);
  BOOST_TEST(ops::threads_for(1000, 999) == 2);  // a kernel's own threshold
}

BOOST_AUTO_TEST_CASE(a_spinning_process_is_seen_as_a_busy_core) {
  const std::vector<int> cpus = ops::allowed_cpus();
  BOOST_REQUIRE(!cpus.empty());
  if (ops::sample_load(cpus).busy_ticks < 0) {
    BOOST_TEST_MESSAGE("no readable /proc/stat: skipped");
    return;
  }
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    alarm(10);  // never outlives a stuck test
    volatile unsigned long x = 0;
    for (;;) x = static_cast<unsigned long>(x) + 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const ops::LoadSample before = ops::sample_load(cpus);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // we sleep: whatever is busy is someone else
  const ops::LoadSample after = ops::sample_load(cpus);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const double others = ops::others_busy_cores(before, after, static_cast<double>(sysconf(_SC_CLK_TCK)));
  // the spinner is runnable all the time, so at least one core is busy whatever else runs (ticks are coarse: 0.6)
  BOOST_TEST(others >= 0.6, "others busy " << others << " cores with a spinning child");
  if (cpus.size() > 1)  // the automatic count would leave the spinner its core
    BOOST_TEST(ops::automatic_thread_count(others, static_cast<int>(cpus.size())) < static_cast<int>(cpus.size()));
  BOOST_TEST(ops::other_running_tasks() >= 0);
}

// End to end: with another process spinning, the automatic count re-measured after kLoadRefreshSeconds leaves it
// a core (on a machine with more than one), and a fixed count is not touched by the load.
BOOST_AUTO_TEST_CASE(the_automatic_count_leaves_a_core_to_a_spinning_process) {
  const int cpus = static_cast<int>(ops::allowed_cpus().size());
  if (cpus < 2 || ops::omp_num_threads_set(std::getenv("OMP_NUM_THREADS")) ||
      ops::sample_load(ops::allowed_cpus()).busy_ticks < 0) {
    BOOST_TEST_MESSAGE("one CPU, OMP_NUM_THREADS set or no /proc/stat: skipped");
    return;
  }
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    alarm(10);
    volatile unsigned long x = 0;
    for (;;) x = static_cast<unsigned long>(x) + 1;
  }
  ops::set_automatic_threads();
  std::this_thread::sleep_for(std::chrono::duration<double>(ops::kLoadRefreshSeconds + 0.1));
  const int automatic = ops::num_threads();  // re-measures: the interval has passed
  ops::set_num_threads(2);
  std::this_thread::sleep_for(std::chrono::duration<double>(ops::kLoadRefreshSeconds + 0.1));
  const int fixed = ops::num_threads();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  BOOST_TEST(automatic < cpus);
  BOOST_TEST(automatic >= 1);
  BOOST_TEST(fixed == 2);
}

BOOST_AUTO_TEST_SUITE_END()
