// What every libFuzzer harness of tests/fuzz/ shares: scratch files (the readers that take a path get the fuzz input
// through a file of this process's own), and the check that turns a broken property into a crash libFuzzer reports.
// A harness lets tapegrad's own errors (tapegrad::Error: a clean rejection of bad input) pass and anything else —
// another exception, a sanitizer report, a failed property — crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace tapegrad::fuzz {

// A property that must hold for every input the reader accepted: prints what failed and aborts (a libFuzzer crash).
inline void require(bool holds, std::string_view what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// A folder of this process's own under the system's temporary folder, made on first use and reused by every input
// (so no file is left per input; several fuzzing processes do not share one).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("tapegrad-fuzz." + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `bytes` to scratch_dir()/name (replacing what was there) and returns the path.
inline std::string scratch_file(const std::string& name, std::string_view bytes) {
  const std::filesystem::path path = scratch_dir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  require(out.good(), "writing a scratch file");
  return path.string();
}

}  // namespace tapegrad::fuzz
