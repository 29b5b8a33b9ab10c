// A word's characters for the character-level word encoder: its UTF-8 code points, each kept as its own UTF-8 text
// ("naïve" → n a ï v e). A byte that does not start a valid UTF-8 sequence becomes U+FFFD (the replacement
// character), so any input splits and every piece can be stored in a checkpoint's JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::lm {

std::vector<std::string> utf8_characters(std::string_view word);

}  // namespace tapegrad::lm
