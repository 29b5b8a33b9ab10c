// The checks every flag of the tapegrad CLI gets where it is declared, so that CLI11 refuses a bad value while
// parsing — before any file is read or any work starts — with a message naming the flag. Numbers get a range
// (shown in --help after the type, e.g. "INT:[1, 65536]"); every real number must also be finite (nan and inf are
// refused); output paths must be writable. The limits are generous: they keep sizes and products far from overflow,
// not from what a large machine can train.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tapegrad::cli::flag {

// Limits shared by the commands (one place, so `train --nhid` and `tag train --hidden` agree).
inline constexpr std::int64_t kMaxWidth = 1 << 16;          // embedding, hidden and feature sizes
inline constexpr std::int64_t kMaxLayers = 64;              // stacked recurrent layers
inline constexpr std::int64_t kMaxBatch = 1 << 16;          // examples, streams or sentences per batch
inline constexpr std::int64_t kMaxSteps = 1 << 16;          // time steps (bptt, unrolled steps, contexts)
inline constexpr std::int64_t kMaxEpochs = 1'000'000;       // epochs and patience
inline constexpr std::int64_t kMaxTokens = 10'000'000;      // tokens generated, validated, counted
inline constexpr std::int64_t kMaxCount = 1'000'000;        // samples, examples, list lengths
inline constexpr double kMaxSeconds = 1e8;                  // time budgets (about three years)
inline constexpr double kMaxMinutes = 1e6;                  // (about two years)
inline constexpr double kMaxTemperature = 1000;             // sampling temperature (far beyond uniform already)
inline constexpr double kMaxFloat = 3.4028234663852886e38;  // the largest finite float

// An integer in [lo, hi].
CLI::Validator whole(std::int64_t lo, std::int64_t hi);
// 0 (an "off" or "all" setting) or an integer in [lo, hi].
CLI::Validator zero_or_whole(std::int64_t lo, std::int64_t hi);
// A finite real number in [lo, hi] (hi = kMaxFloat: any finite value ≥ lo that fits a float).
CLI::Validator real(double lo, double hi = kMaxFloat);
// A finite real number above lo: lo < x ≤ hi.
CLI::Validator real_above(double lo, double hi = kMaxFloat);
// One of `values` (an enumeration: "mle", "addk", "kn"), matched ignoring case, or one of the `aliases` (another
// spelling → its value, e.g. "utf-8" → "utf8", also ignoring case); the flag's value becomes the canonical
// spelling. Anything else: "unknown <what> 'x' (expected a, b or c)", with "; did you mean 'b'?" when one is close.
CLI::Validator choice(const std::string& what, std::vector<std::string> values,
                      std::vector<std::pair<std::string, std::string>> aliases = {});
// Kernel threads: 0 (automatic: the cores not busy with other processes, ops/parallel.hpp) or 1 … ops::max_threads().
CLI::Validator threads();
// output_file, or "-" (standard output).
CLI::Validator output_file_or_stdout();
// A file the command will write: not a folder; its folder exists (or, with creates_folders, the nearest existing
// ancestor does) and a file can be created there; an existing file is writable.
CLI::Validator output_file(bool creates_folders = false);
// A folder the command will create if missing and write into: a folder (not a file) in which a file can be created,
// or a missing one whose nearest existing ancestor is such a folder.
CLI::Validator output_folder();

// The checks behind output_file and output_folder, for paths known only at run time: an empty string when fine,
// else why not (naming the path).
std::string output_file_problem(const std::string& path, bool creates_folders);
std::string output_folder_problem(const std::string& path);

}  // namespace tapegrad::cli::flag
