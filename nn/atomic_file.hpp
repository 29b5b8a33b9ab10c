// AtomicFile: writes a file so that a crash never leaves a half-written file under its real name.
//
//   AtomicFile out(path);      // creates "<dir>/<name>.tmp.<pid>.<n>" next to path (same file system)
//   out.write(header);         // every write checked (partial writes continued, EINTR retried)
//   out.write(data);
//   out.commit();              // fsync the file, close it (checked), rename it over path, fsync the directory
//
// rename() within one directory replaces the target atomically on POSIX file systems: a reader sees the old file or
// the new one, never a mixture. If commit() is not reached (an exception, a failed write), the destructor closes
// and removes the temporary file and the old file at `path`, if any, is untouched. Errors throw CheckpointError
// naming the path and the system's reason.
//
// A writer killed before commit() (kill -9, power loss) leaves its temporary file behind. The next AtomicFile for
// the same target removes such leftovers — the temporary files of that target whose process is no longer alive —
// and remove_stale_temporaries does the same on demand (e.g. when a training run starts). A temporary file of a
// live process, this one included, is never touched.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace tapegrad::nn {

// Removes the files "<target>.tmp.<pid>.<n>" beside target whose process <pid> is not running; returns how many.
// Best effort: a folder that cannot be read or a file that cannot be removed is left as it is (no exception).
std::size_t remove_stale_temporaries(const std::filesystem::path& target);

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const std::byte> bytes);
  void commit();

 private:
  [[noreturn]] void fail(const char* what, int error_number);

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace tapegrad::nn
