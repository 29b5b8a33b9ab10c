// AtomicFile's cleanup of temporary files a killed writer left behind ("<name>.tmp.<pid>.<n>", issue 13): a file of a
// process that is gone is removed — by remove_stale_temporaries and by the next AtomicFile for the same target —
// while a file of a live process, of this process, of another target or with another name pattern stays.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/atomic_file.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using testing::ScratchDir;

namespace {

// The pid of a process that has exited and been reaped: no process has it (until the system reuses it).
::pid_t dead_pid() {
  const ::pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const std::filesystem::path& p) { std::ofstream(p) << "partial"; }

std::string temp_name(const std::string& target, ::pid_t pid, int n) {
  return target + ".tmp." + std::to_string(pid) + "." + std::to_string(n);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_file)

BOOST_AUTO_TEST_CASE(a_dead_writers_temporary_file_is_removed_a_live_ones_kept) {
  ScratchDir dir;
  const ::pid_t dead = dead_pid(), parent = ::getppid(), self = ::getpid();
  const std::filesystem::path dead_file = dir / temp_name("m.safetensors", dead, 0);
  const std::filesystem::path live_file = dir / temp_name("m.safetensors", parent, 3);
  const std::filesystem::path own_file = dir / temp_name("m.safetensors", self, 7);
  const std::filesystem::path other_target = dir / temp_name("other.safetensors", dead, 0);
  const std::filesystem::path not_a_temp = dir / ("m.safetensors.tmp." + std::to_string(dead) + ".x");
  for (const auto& p : {dead_file, live_file, own_file, other_target, not_a_temp}) touch(p);

  BOOST_TEST(nn::remove_stale_temporaries(dir / "m.safetensors") == 1u);
  BOOST_TEST(!std::filesystem::exists(dead_file));
  BOOST_TEST(std::filesystem::exists(live_file));
  BOOST_TEST(std::filesystem::exists(own_file));
  BOOST_TEST(std::filesystem::exists(other_target));
  BOOST_TEST(std::filesystem::exists(not_a_temp));
}

BOOST_AUTO_TEST_CASE(the_next_atomic_write_of_the_target_removes_dead_leftovers) {
  ScratchDir dir;
  const std::filesystem::path target = dir / "m.safetensors";
  const std::filesystem::path dead_file = dir / temp_name("m.safetensors", dead_pid(), 12);
  const std::filesystem::path live_file = dir / temp_name("m.safetensors", ::getppid(), 12);
  touch(dead_file);
  touch(live_file);
  {
    nn::AtomicFile out(target);
    const std::byte data[3] = {std::byte{1}, std::byte{2}, std::byte{3}};
    out.write(data);
    out.commit();
  }
  BOOST_TEST(std::filesystem::file_size(target) == 3u);
  BOOST_TEST(!std::filesystem::exists(dead_file));
  BOOST_TEST(std::filesystem::exists(live_file));
  BOOST_TEST(dir.files().size() == 2u);  // the target and the live writer's file
}

BOOST_AUTO_TEST_CASE(a_missing_folder_removes_nothing_and_does_not_throw) {
  ScratchDir dir;
  BOOST_TEST(nn::remove_stale_temporaries(dir / "no-such-folder" / "m.safetensors") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
