// Whole-file text input and output with the checks every reader in lm/ needs: the file exists and is readable
// (IoError), is not empty, holds no NUL byte (a binary file), and optionally is valid UTF-8 (FormatError, naming the
// line and byte). Readers then walk the text line by line with for_each_line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lm/text/utf8.hpp"  // find_invalid_utf8

namespace tapegrad::lm {

struct TextCheck {
  bool utf8 = true;          // reject invalid UTF-8 (overlong forms, surrogates, code points above U+10FFFF)
  bool allow_empty = false;  // accept a file of zero bytes
};

// The file's bytes, unchecked. Throws IoError if it cannot be opened or read.
std::string read_file(const std::string& path);

// The file's bytes after check_text. Throws IoError if it cannot be opened or read, FormatError if a check fails.
std::string read_text_file(const std::string& path, TextCheck check = {});

// The checks of read_text_file on text already in memory; `source` names it in the messages.
void check_text(std::string_view text, const std::string& source, TextCheck check = {});

// FormatError when `text` is not valid UTF-8: "<source>:<line>: invalid UTF-8 at column C (byte 0xHH at byte offset
// N of the file)", and, when the text looks like Latin-1, "; the file looks like Latin-1 (ISO-8859-1): " + advice.
void require_utf8(std::string_view text, const std::string& source, std::string_view latin1_advice);

// Writes the file through a temporary file renamed over it, so a failure never leaves a half-written file under the
// real name (an existing file stays as it was). Throws IoError naming the file on failure.
void write_text_file(const std::string& path, std::string_view text);

// Calls f(line_number, line) for each line: numbers start at 1, the line excludes its '\n' (and a '\r' before it),
// and a last line without '\n' counts; a text ending in '\n' has no extra empty line after it.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::size_t number = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(++number, line);
    pos = end + 1;
  }
}

// Splits on ASCII white space (space, tab, CR, LF, VT, FF) and calls f(token) for each non-empty piece.
template <class F>
void for_each_field(std::string_view line, F&& f) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    std::size_t j = i;
    while (j < line.size() && !blank(line[j])) ++j;
    if (j > i) f(line.substr(i, j - i));
    i = j;
  }
}

}  // namespace tapegrad::lm
