// Errors of the lm/ layer about files: a file that cannot be read (IoError) and a file whose content breaks its format
// (FormatError) — a text, an ARPA model, a checkpoint's metadata. (Training's own error, DivergenceError, is in
// lm/training/trainer.hpp.) Both derive from tapegrad::Error, so the CLI reports them and exits non-zero. Messages name
// the file and, where there is one, the line: "data/train.txt:12: invalid UTF-8 at byte 7".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ops/error.hpp"

namespace tapegrad::lm {

// A file is missing, unreadable, or cannot be written.
class IoError : public Error {
 public:
  using Error::Error;
};

// A file's content does not follow its format (empty, binary, invalid UTF-8, a malformed ARPA line, ...).
class FormatError : public Error {
 public:
  using Error::Error;
};

// "path:line: " (or "path: " when line is 0), the prefix of every message about a place in a file.
inline std::string where(std::string_view path, std::size_t line = 0) {
  std::string s(path);
  if (line > 0) s += ':' + std::to_string(line);
  return s + ": ";
}

}  // namespace tapegrad::lm
