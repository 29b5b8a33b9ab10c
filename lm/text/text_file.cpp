// Whole-file reading with the text checks (see text_file.hpp); the UTF-8 rules themselves are in utf8.cpp.
#include "lm/text/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

#include "lm/text/error.hpp"
#include "lm/text/utf8.hpp"
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
  if (check.utf8) require_utf8(text, source, "convert it to UTF-8");
}

void require_utf8(std::string_view text, const std::string& source, std::string_view latin1_advice) {
  const std::size_t offset = find_invalid_utf8(text);
  if (offset == std::string_view::npos) return;
  const auto byte = static_cast<unsigned char>(text[offset]);
  const char hex[] = {'0', 'x', "0123456789abcdef"[byte >> 4], "0123456789abcdef"[byte & 15], '\0'};
  std::string message = where(source, line_of(text, offset)) + "invalid UTF-8 at column " +
                        std::to_string(column_of(text, offset)) + " (byte " + hex + " at byte offset " +
                        std::to_string(offset) + " of the file)";
  if (looks_like_latin1(text)) message += "; the file looks like Latin-1 (ISO-8859-1): " + std::string(latin1_advice);
  throw FormatError(message);
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
