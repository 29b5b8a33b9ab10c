// Numbers as exact text, for state kept in string maps (checkpoint metadata, schedule state): std::to_chars writes
// the shortest decimal that reads back to the same bits, std::from_chars reads it back, independent of the locale.
// The parsers return nullopt unless the whole string is one number (no spaces, no trailing characters).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace tapegrad::nn::text {

template <class T>
std::string format(T value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// A float as the double of its shortest decimal (0.002f → 0.002, not 0.0020000000949949026), for JSON writers that
// print doubles: the float typed as "0.002" is stored as 0.002 and reads back to the same float.
inline double decimal(float value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  double d = value;
  if (ec == std::errc()) std::from_chars(buf, end, d);
  return d;
}

template <class T>
std::optional<T> parse(std::string_view s) {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

}  // namespace tapegrad::nn::text
