// The UTF-8 decoder (see utf8.hpp): sequence lengths by the table of well-formed byte sequences.
#include "lm/text/utf8.hpp"

#include "ops/error.hpp"

namespace tapegrad::lm {

// Well-formed sequences (RFC 3629, table 3-7 of the Unicode standard):
//   00..7F | C2..DF 80..BF | E0 A0..BF 80..BF | E1..EC 80..BF 80..BF | ED 80..9F 80..BF | EE..EF 80..BF 80..BF
//   | F0 90..BF 80..BF 80..BF | F1..F3 80..BF 80..BF 80..BF | F4 80..8F 80..BF 80..BF
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return k < n && s[k] >= lo && s[k] <= hi; };
  if (i >= n) return 0;
  const unsigned c = s[i];
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;  // 80..C1 (a continuation byte or an overlong lead) or F5..FF
}

std::size_t find_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::vector<std::string_view> split_code_points(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0)
      throw UsageError("split_code_points: invalid UTF-8 at byte offset " + std::to_string(i) +
                       " (check or decode the text first)");
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> split_code_points_lenient(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out.emplace_back(kReplacementCharacter);
      ++i;
    } else {
      out.emplace_back(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {  // U+0080..U+00FF: 110000xx 10xxxxxx
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

bool looks_like_latin1(std::string_view text) {
  bool high = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_sequence_length(text, i);
    if (n > 1 || (b >= 0x80 && b <= 0x9F)) return false;  // UTF-8 with errors, or not Latin-1 either
    high |= b >= 0xA0;
    i += n == 0 ? 1 : n;
  }
  return high;
}

}  // namespace tapegrad::lm
