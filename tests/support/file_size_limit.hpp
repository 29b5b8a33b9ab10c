// FileSizeLimit: while alive, files this process writes may not grow past `bytes` (RLIMIT_FSIZE), and a write that
// would is refused with EFBIG instead of killing the process with SIGXFSZ — how tests make a write fail half way
// through to check that the old file survives.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <stdexcept>

namespace tapegrad::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    if (getrlimit(RLIMIT_FSIZE, &saved_) != 0) throw std::runtime_error("getrlimit(RLIMIT_FSIZE) failed");
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    if (setrlimit(RLIMIT_FSIZE, &limited) != 0) {
      std::signal(SIGXFSZ, old_handler_);
      throw std::runtime_error("setrlimit(RLIMIT_FSIZE) failed");
    }
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = SIG_DFL;
};

}  // namespace tapegrad::testing
