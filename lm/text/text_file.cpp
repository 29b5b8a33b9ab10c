// Whole-file reading with the text checks (see text_file.hpp), and a strict UTF-8 validator (RFC 3629).
#include "lm/text/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

#include "lm/text/error.hpp"
#include "nn/atomic_file.hpp"
#include "nn/checkpoint_error.hpp"

namespace tapegrad::lm {

namespace {

std::size_t line_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset; ++i) line += text[i] == '\n';
  return line;
}

std::size_t column_of(std::string_view text, std::size_t offset) {
  const std::size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return nl == std::string_view::npos || offset == 0 ? offset + 1 : offset - nl;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(where(path) + "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(where(path) + "cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  if (in.peek() != std::ifstream::traits_type::eof()) buffer << in.rdbuf();  // << of an empty rdbuf sets failbit
  if (in.bad() || buffer.fail()) throw IoError(where(path) + "read failed: " + std::strerror(errno));
  return std::move(buffer).str();
}

std::string read_text_file(const std::string& path, TextCheck check) {
  std::string text = read_file(path);
  check_text(text, path, check);
  return text;
}

void check_text(std::string_view text, const std::string& source, TextCheck check) {
  if (text.empty() && !check.allow_empty) throw FormatError(where(source) + "the file is empty");
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos)
    throw FormatError(where(source, line_of(text, nul)) + "binary data (a NUL byte at column " +
                      std::to_string(column_of(text, nul)) + "): expected a text file");
  if (check.utf8) {
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string::npos) {
      const auto byte = static_cast<unsigned char>(text[bad]);
      const char hex[] = {'0', 'x', "0123456789abcdef"[byte >> 4], "0123456789abcdef"[byte & 15], '\0'};
      throw FormatError(where(source, line_of(text, bad)) + "invalid UTF-8 at column " +
                        std::to_string(column_of(text, bad)) + " (byte " + hex + ")");
    }
  }
}

// Well-formed sequences (RFC 3629, table 3-7 of the Unicode standard):
//   00..7F | C2..DF 80..BF | E0 A0..BF 80..BF | E1..EC 80..BF 80..BF | ED 80..9F 80..BF | EE..EF 80..BF 80..BF
//   | F0 90..BF 80..BF 80..BF | F1..F3 80..BF 80..BF 80..BF | F4 80..8F 80..BF 80..BF
std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) { return i < n && s[i] >= lo && s[i] <= hi; };
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (!cont(i + 1, lo, hi) || !cont(i + 2)) return i;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;  // 80..C1 (continuation byte or overlong lead) or F5..FF
    }
  }
  return std::string_view::npos;
}

void write_text_file(const std::string& path, std::string_view text) {
  try {
    nn::AtomicFile out(path);
    out.write(std::as_bytes(std::span<const char>(text.data(), text.size())));
    out.commit();
  } catch (const nn::CheckpointError& e) {  // AtomicFile's error type; here it is a text file that failed
    throw IoError(e.what());
  }
}

}  // namespace tapegrad::lm
