// The flag checks of the CLI (ranges, finite numbers, writable outputs) as CLI11 validators.
#include "apps/flag_checks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "apps/command_line.hpp"
#include "ops/parallel.hpp"

namespace tapegrad::cli::flag {

namespace {

namespace fs = std::filesystem;

// A number as text: whole numbers in full ("100000000"), others as short as they go ("0.99", "3.40282e+38").
std::string show(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  std::ostringstream out;
  out << x;
  return out.str();
}

std::string describe(double lo, double hi, bool lo_open) {
  if (hi >= kMaxFloat) return std::string(lo_open ? "> " : "≥ ") + show(lo);
  return std::string(lo_open ? "(" : "[") + show(lo) + ", " + show(hi) + "]";
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Whether a file can be created in `dir` (an existing folder): creates and removes a probe file.
std::string folder_writable_problem(const fs::path& dir) {
  const fs::path probe = dir / (".tapegrad-write-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int e = errno;
    if (e == EEXIST) return "";  // a probe of this very process: the folder took a file before
    return "cannot create a file in the folder " + quoted(dir) + ": " + std::generic_category().message(e);
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

// The folder a path's file goes in ("." for a bare name).
fs::path folder_of(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : fs::path("."); }

// The nearest ancestor of `dir` that exists (dir itself when it does), or an empty path if none does.
fs::path nearest_existing(fs::path dir) {
  std::error_code ec;
  while (!fs::exists(dir, ec)) {
    if (!dir.has_parent_path() || dir.parent_path() == dir) return fs::path(".");
    dir = dir.parent_path();
  }
  return dir;
}

// A folder that exists or, if it may be created, whose nearest existing ancestor is a writable folder.
std::string folder_problem(const fs::path& dir, bool may_create) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return quoted(dir) + " is not a folder";
    return folder_writable_problem(dir);
  }
  if (!may_create) return "the folder " + quoted(dir) + " does not exist";
  const fs::path ancestor = nearest_existing(dir);
  if (!fs::is_directory(ancestor, ec))
    return quoted(ancestor) + " is not a folder, so " + quoted(dir) + " cannot be created";
  return folder_writable_problem(ancestor);
}

}  // namespace

CLI::Validator whole(std::int64_t lo, std::int64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        std::int64_t value = 0;
        if (!CLI::detail::lexical_cast(text, value))
          return "expected a whole number in " + range + ", got '" + text + "'";
        if (value < lo || value > hi) return "must be in " + range + ", got " + text;
        return "";
      },
      range, "WHOLE");
}

CLI::Validator zero_or_whole(std::int64_t lo, std::int64_t hi) {
  const std::string range = "0 or [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        std::int64_t value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected " + range + ", got '" + text + "'";
        if (value != 0 && (value < lo || value > hi)) return "must be " + range + ", got " + text;
        return "";
      },
      range, "WHOLE");
}

namespace {
CLI::Validator real_between(double lo, double hi, bool lo_open) {
  const std::string range = describe(lo, hi, lo_open);
  const std::string phrase = (range[0] == '[' || range[0] == '(' ? "in " : "") + range;  // "in [0, 1]", "> 0"
  return CLI::Validator(
      [lo, hi, lo_open, phrase](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected a number " + phrase + ", got '" + text + "'";
        if (!std::isfinite(value)) return "must be a finite number " + phrase + ", got " + text;
        if ((lo_open ? value <= lo : value < lo) || value > hi) return "must be " + phrase + ", got " + text;
        return "";
      },
      range, "REAL");
}
}  // namespace

CLI::Validator real(double lo, double hi) { return real_between(lo, hi, false); }
CLI::Validator real_above(double lo, double hi) { return real_between(lo, hi, true); }

CLI::Validator choice(const std::string& what, std::vector<std::string> values,
                      std::vector<std::pair<std::string, std::string>> aliases) {
  std::string expected;
  for (std::size_t i = 0; i < values.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  const std::string description = "{" + [&] {
    std::string list;
    for (const std::string& v : values) list += (list.empty() ? "" : ",") + v;
    return list;
  }() + "}";
  return CLI::Validator(
      [what, values, aliases, expected](std::string& text) -> std::string {
        const std::string typed = CLI::detail::to_lower(text);
        for (const std::string& v : values)
          if (CLI::detail::to_lower(v) == typed) {
            text = v;
            return "";
          }
        for (const auto& [alias, value] : aliases)
          if (CLI::detail::to_lower(alias) == typed) {
            text = value;
            return "";
          }
        std::string message = "unknown " + what + " '" + text + "' (expected " + expected + ")";
        if (const std::string best = closest_name(text, values); !best.empty())
          message += "; did you mean '" + best + "'?";
        return message;
      },
      description, "CHOICE");
}

CLI::Validator threads() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const int most = ops::max_threads();
        const std::string range = "0 (automatic) or 1 … " + std::to_string(most) + " (" +
                                  std::to_string(ops::kMaxThreadsPerProcessor) + " per processor)";
        std::int64_t value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected " + range + ", got '" + text + "'";
        if (value < 0 || value > most) return "must be " + range + ", got " + text;
        return "";
      },
      "0 (automatic) or 1 … " + std::to_string(ops::kMaxThreadsPerProcessor) + "×cores", "THREADS");
}

std::string output_file_problem(const std::string& path, bool creates_folders) {
  if (path.empty()) return "the output path is empty";
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) return quoted(p) + " is a folder, not a file";
  if (!p.has_filename()) return quoted(p) + " does not name a file";
  if (std::string why = folder_problem(folder_of(p), creates_folders); !why.empty()) return quoted(p) + ": " + why;
  if (fs::exists(p, ec) && ::access(p.c_str(), W_OK) != 0)
    return quoted(p) + " exists and cannot be written: " + std::generic_category().message(errno);
  return "";
}

std::string output_folder_problem(const std::string& path) {
  if (path.empty()) return "the output folder is empty";
  return folder_problem(fs::path(path), true);
}

CLI::Validator output_file(bool creates_folders) {
  return CLI::Validator([creates_folders](std::string& path) { return output_file_problem(path, creates_folders); },
                        "writable", "OUTPUT_FILE");
}

CLI::Validator output_file_or_stdout() {
  return CLI::Validator(
      [](std::string& path) { return path == "-" ? std::string() : output_file_problem(path, false); },
      "writable or - (standard output)", "OUTPUT_FILE");
}

CLI::Validator output_folder() {
  return CLI::Validator([](std::string& path) { return output_folder_problem(path); }, "writable", "OUTPUT_FOLDER");
}

}  // namespace tapegrad::cli::flag
