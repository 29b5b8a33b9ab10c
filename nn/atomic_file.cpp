// AtomicFile: temporary file, checked writes, fsync, rename (POSIX).
#include "nn/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "nn/checkpoint_error.hpp"

namespace tapegrad::nn {

namespace {
std::atomic<unsigned> temp_counter{0};

std::string reason(int error_number) { return std::generic_category().message(error_number); }

constexpr std::string_view kTempMarker = ".tmp.";

// The pid of a name "<target name>.tmp.<pid>.<n>", or 0 when `name` is not a temporary file of that target.
::pid_t temp_file_owner(std::string_view name, std::string_view target_name) {
  if (!name.starts_with(target_name)) return 0;
  name.remove_prefix(target_name.size());
  if (!name.starts_with(kTempMarker)) return 0;
  name.remove_prefix(kTempMarker.size());
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return 0;
  const auto all_digits = [](std::string_view digits) {
    return digits.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const std::string_view pid_text = name.substr(0, dot), counter_text = name.substr(dot + 1);
  if (!all_digits(pid_text) || !all_digits(counter_text) || pid_text.size() > 9) return 0;
  return static_cast<::pid_t>(std::stol(std::string(pid_text)));
}

// A process exists with this pid (one we may not signal — EPERM — exists too).
bool process_alive(::pid_t pid) { return pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM; }
}  // namespace

std::size_t remove_stale_temporaries(const std::filesystem::path& target) {
  if (!target.has_filename()) return 0;
  const std::string target_name = target.filename().string();
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  std::size_t removed = 0;
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const ::pid_t owner = temp_file_owner(name, target_name);
    if (owner <= 0 || process_alive(owner)) continue;
    std::error_code remove_error;
    if (std::filesystem::remove(it->path(), remove_error)) ++removed;
  }
  return removed;
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  if (!target_.has_filename())
    throw CheckpointError("checkpoint '" + target_.string() + "': the path does not name a file");
  remove_stale_temporaries(target_);
  // A name no other writer uses: pid and a per-process counter; O_EXCL refuses a leftover of a crashed process.
  for (int attempt = 0; attempt < 64; ++attempt) {
    temp_ = target_;
    temp_ += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(temp_counter.fetch_add(1));
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) return;
    if (errno != EEXIST) break;
  }
  const int e = errno;
  throw CheckpointError("checkpoint '" + target_.string() + "': cannot create the temporary file '" + temp_.string() +
                        "': " + reason(e));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::fail(const char* what, int error_number) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  // The destructor removes the temporary file.
  throw CheckpointError("checkpoint '" + target_.string() + "': " + what + ": " + reason(error_number));
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  if (fd_ < 0) throw CheckpointError("checkpoint '" + target_.string() + "': write after the file was closed");
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ::ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("writing the temporary file failed", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw CheckpointError("checkpoint '" + target_.string() + "': commit after the file was closed");
  if (::fsync(fd_) != 0) fail("flushing the temporary file to disk failed", errno);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) fail("closing the temporary file failed", errno);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("renaming the temporary file into place failed", errno);
  committed_ = true;
  // Make the rename itself durable. Some file systems cannot sync a directory (EINVAL): nothing more to do there.
  const std::filesystem::path dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    const int rc = ::fsync(dir_fd);
    const int e = errno;
    ::close(dir_fd);
    if (rc != 0 && e != EINVAL)
      throw CheckpointError("checkpoint '" + target_.string() +
                            "': written, but syncing its directory failed: " + reason(e));
  }
}

}  // namespace tapegrad::nn
