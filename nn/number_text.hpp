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

template <class T>
std::optional<T> parse(std::string_view s) {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

}  // namespace tapegrad::nn::text
