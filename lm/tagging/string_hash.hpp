// StringHash: a transparent hash, so unordered containers keyed by std::string (which own their keys, and so may
// be copied freely) are searched with a std::string_view without building a string:
//   std::unordered_map<std::string, V, StringHash, std::equal_to<>> m;  m.find(view);
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace tapegrad::lm {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  std::size_t operator()(const std::string& s) const { return std::hash<std::string_view>{}(s); }
  std::size_t operator()(const char* s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace tapegrad::lm
