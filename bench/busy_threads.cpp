// Training throughput on a busy machine: starts a competing process that keeps every core busy (N spinning threads),
// then times training steps of small language models with the default thread setting, 1 thread and 2 threads — with
// and without that load — and prints tokens/s and the ratios default / 1 thread and 2 threads / 1 thread.
//
// The threads reported for the default setting are the count the child used at its end (its default may change
// while it runs: ops/parallel.hpp). --baseline runs another build's busy_threads (only its --run mode is used)
// interleaved with this one, so both see the same machine; main's code with this file copied in is the "before".
//
// Every measurement runs in its own child process (this program re-run with --run), so the "default" row gets the
// thread count a fresh program chooses by itself (no set_num_threads call), exactly as `tapegrad train` without
// --threads, and the OpenMP environment (OMP_WAIT_POLICY, GOMP_SPINCOUNT, OMP_NUM_THREADS) applies as the user set it.
// Thread settings are interleaved within each repetition so that the machine's noise falls on all of them alike;
// medians over --reps repetitions are printed.
//
//   build/bench/busy_threads                          # tiny-gru, small-lstm, main-lstm; no load and 2 busy threads
//   build/bench/busy_threads --models tiny-gru --reps 5 --load 2 --seconds 2
//   build/bench/busy_threads --baseline ../base/build/bench/busy_threads   # before/after, interleaved
//   build/bench/busy_threads --run tiny-gru --threads 0 --seconds 2     # one measurement (0: the default setting)
//
// Models (character-level sizes, Adam, clip 5, synthetic ids):
//   tiny-gru    GRU  vocab 65, emsize 16, nhid 32, 1 layer,  batch 32, bptt 35
//   small-lstm  LSTM vocab 65, emsize 64, nhid 128, 2 layers, batch 32, bptt 100
//   main-lstm   LSTM vocab 65, emsize 64, nhid 256, 2 layers, batch 32, bptt 100  (scripts/run.sh's model)
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/adam.hpp"
#include "ops/parallel.hpp"
#include "ops/text.hpp"

extern char** environ;

namespace {

using namespace tapegrad;
using namespace tapegrad::lm;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct BenchModel {
  ModelConfig model;
  index_t batch = 32, bptt = 35;
};

BenchModel bench_model(const std::string& name) {
  BenchModel b;
  ModelConfig& m = b.model;
  m.vocab = 65, m.init_range = 0.1f;
  if (name == "tiny-gru") {
    m.kind = ModelKind::GRU, m.emsize = 16, m.nhid = 32, m.nlayers = 1;
    b.batch = 32, b.bptt = 35;
  } else if (name == "small-lstm" || name == "main-lstm") {
    m.kind = ModelKind::LSTM, m.emsize = 64, m.nhid = name == "small-lstm" ? 128 : 256, m.nlayers = 2;
    b.batch = 32, b.bptt = 100;
  } else {
    throw std::runtime_error("unknown model '" + name + "' (expected tiny-gru, small-lstm or main-lstm)");
  }
  return b;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// One measurement: trains `name` for a short warm-up, then times windows of `seconds` each (a window ends after the
// step that crosses its time, so a very slow step still ends it) and prints the median tokens/s. threads = 0 leaves
// the thread count to the library's default.
int run_one(const std::string& name, int threads, double seconds) {
  if (threads > 0) ops::set_num_threads(threads);
  const BenchModel b = bench_model(name);
  Rng rng(1234);
  LanguageModel model(b.model, rng);
  nn::Adam adam(model.module().parameters(), {.lr = 2e-3f});
  Stepper stepper(model, &adam, 5.0f);
  const std::vector<std::int32_t> ids =
      bench::uniform_ids(static_cast<std::size_t>(b.batch * (b.bptt * 50 + 1)), b.model.vocab, 1234);
  StreamBatcher batcher(ids, b.batch, b.bptt);
  StreamWindow window;
  index_t position = 0;
  const auto step = [&] {
    batcher.get(position++ % batcher.windows(), window);
    return stepper.train(window, rng).tokens;
  };
  for (double t0 = now(); now() - t0 < seconds / 4;) step();  // warm-up: buffers, caches, OpenMP threads
  std::vector<double> rates;
  for (int w = 0; w < 3; ++w) {
    index_t tokens = 0;
    const double t0 = now();
    double t = t0;
    while (t - t0 < seconds / 3) {
      tokens += step();
      t = now();
    }
    rates.push_back(static_cast<double>(tokens) / (t - t0));
  }
  std::printf("%.0f %d\n", median(rates), ops::num_threads());
  return 0;
}

// The competing load: a child process with `n` threads spinning until it is killed (or this process dies).
pid_t start_load(const std::string& self, int n) {
  const std::string count = std::to_string(n);
  std::vector<char*> argv = {const_cast<char*>(self.c_str()), const_cast<char*>("--spin"),
                             const_cast<char*>(count.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start the load process");
  return pid;
}

[[noreturn]] void spin(int n) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::vector<std::thread> threads;
  static std::atomic<unsigned long> sink{0};
  for (int i = 0; i < n; ++i)
    threads.emplace_back([] {
      unsigned long x = 0;
      for (;;) {
        x = x * 6364136223846793005UL + 1;
        if ((x & 0xffffff) == 0) sink.fetch_add(1, std::memory_order_relaxed);
      }
    });
  for (auto& t : threads) t.join();
  std::_Exit(0);
}

// Runs `self --run name --threads t --seconds s` and parses "tok/s threads_used".
std::pair<double, int> measure(const std::string& self, const std::string& name, int threads, double seconds) {
  const std::string cmd = "'" + self + "' --run " + name + " --threads " + std::to_string(threads) + " --seconds " +
                          std::to_string(seconds);
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) throw std::runtime_error("cannot run " + cmd);
  double rate = 0;
  int used = 0;
  if (std::fscanf(p.get(), "%lf %d", &rate, &used) != 2) throw std::runtime_error("no result from " + cmd);
  return {rate, used};
}

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

int usage() {
  std::fprintf(stderr,
               "usage: busy_threads [--models tiny-gru,small-lstm,main-lstm] [--reps N] [--seconds S] [--load N]\n"
               "                    [--baseline PATH]   (another build's busy_threads, measured interleaved)\n"
               "                    [--only quiet|busy] (without the load / with it only)\n"
               "       busy_threads --run MODEL --threads T --seconds S      (one measurement; T = 0: default)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models = {"tiny-gru", "small-lstm", "main-lstm"};
  std::string run, baseline, only;  // only: "", "quiet" (no load started) or "busy"
  int threads = 0, reps = 3, load = static_cast<int>(std::thread::hardware_concurrency());
  double seconds = 1.5;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
        return argv[++i];
      };
      if (a == "--models")
        models = split_list(value());
      else if (a == "--run")
        run = value();
      else if (a == "--threads")
        threads = std::stoi(value());
      else if (a == "--reps")
        reps = std::stoi(value());
      else if (a == "--seconds")
        seconds = std::stod(value());
      else if (a == "--load")
        load = std::stoi(value());
      else if (a == "--only")
        only = value();
      else if (a == "--baseline")
        baseline = value();
      else if (a == "--spin")
        spin(std::stoi(value()));
      else
        return usage();
    }
    if (!run.empty()) return run_one(run, threads, seconds);
    if (reps < 1 || load < 1 || seconds <= 0 || (!only.empty() && only != "quiet" && only != "busy")) return usage();

    char buf[4096];
    const ssize_t len = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (len <= 0) throw std::runtime_error("cannot find this program's path (/proc/self/exe)");
    const std::string self(buf, static_cast<std::size_t>(len));

    std::printf("CPU: %s, %u logical cores; load average at start: %s\n", bench::cpu_description().c_str(),
                std::thread::hardware_concurrency(), first_line("/proc/loadavg").c_str());
    std::printf("OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s OMP_NUM_THREADS=%s; %d repetitions of 3 windows, %.1f s each\n",
                std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "(unset)",
                std::getenv("GOMP_SPINCOUNT") ? std::getenv("GOMP_SPINCOUNT") : "(unset)",
                std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "(unset)", reps, seconds);
    const std::vector<int> settings = {0, 1, 2};  // 0: the default (no --threads)
    std::vector<std::pair<std::string, std::string>> builds = {{"this", self}};
    if (!baseline.empty()) {
      builds.insert(builds.begin(), {"baseline", baseline});
      std::printf("baseline: %s (interleaved with this build, setting by setting)\n", baseline.c_str());
    }
    for (const bool loaded : {false, true}) {
      if (only == (loaded ? "quiet" : "busy")) continue;
      pid_t load_pid = 0;
      if (loaded) {
        load_pid = start_load(self, load);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      const std::string label = loaded ? "busy (" + std::to_string(load) + " spinning threads)" : "no load started";
      for (const std::string& m : models) {
        std::map<std::pair<std::size_t, int>, std::vector<double>> rates;  // (build, setting) → tokens/s
        std::map<std::size_t, std::vector<int>> used_default;
        for (int r = 0; r < reps; ++r)
          for (std::size_t b = 0; b < builds.size(); ++b)
            for (int t : settings) {
              const auto [rate, used] = measure(builds[b].second, m, t, seconds);
              rates[{b, t}].push_back(rate);
              if (t == 0) used_default[b].push_back(used);
            }
        for (std::size_t b = 0; b < builds.size(); ++b) {
          const double d = median(rates[{b, 0}]), one = median(rates[{b, 1}]), two = median(rates[{b, 2}]);
          std::vector<int> used = used_default[b];
          std::sort(used.begin(), used.end());
          used.erase(std::unique(used.begin(), used.end()), used.end());
          std::string used_text;
          for (int u : used) used_text += (used_text.empty() ? "" : ",") + std::to_string(u);
          std::printf("%-10s %-8s %-26s default %9.0f tok/s (threads %s) | 1 thread %9.0f | 2 threads %9.0f | "
                      "default/1 %.2f  2/1 %.2f\n",
                      m.c_str(), builds[b].first.c_str(), label.c_str(), d, used_text.c_str(), one, two, d / one,
                      two / one);
          std::printf("RESULT busy_threads build=%s model=%s load=%d default=%.0f one=%.0f two=%.0f\n",
                      builds[b].first.c_str(), m.c_str(), loaded ? load : 0, d, one, two);
        }
        std::printf("  load average now: %s\n", first_line("/proc/loadavg").c_str());
        std::fflush(stdout);
      }
      if (load_pid > 0) {
        kill(load_pid, SIGKILL);
        waitpid(load_pid, nullptr, 0);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "busy_threads: %s\n", e.what());
    return 2;
  }
}
