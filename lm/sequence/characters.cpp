// utf8_characters: code points by the UTF-8 rules (no overlong forms, no surrogates, nothing above U+10FFFF).
#include "lm/sequence/characters.hpp"

#include <cstdint>

namespace tapegrad::lm {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the byte there does not start one.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t min = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) n = 2, min = 0x80, cp = b0 & 0x1F;
  else if ((b0 & 0xF0) == 0xE0) n = 3, min = 0x800, cp = b0 & 0x0F;
  else if ((b0 & 0xF8) == 0xF0) n = 4, min = 0x10000, cp = b0 & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::vector<std::string> utf8_characters(std::string_view word) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < word.size();) {
    const std::size_t n = sequence_length(word, i);
    if (n == 0) {
      out.emplace_back("\xEF\xBF\xBD");  // U+FFFD
      ++i;
    } else {
      out.emplace_back(word.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace tapegrad::lm
