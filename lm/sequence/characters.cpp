// utf8_characters: the code points of a word, decoded by lm/text/utf8 (the one UTF-8 decoder).
#include "lm/sequence/characters.hpp"

#include "lm/text/utf8.hpp"

namespace tapegrad::lm {

std::vector<std::string> utf8_characters(std::string_view word) { return split_code_points_lenient(word); }

}  // namespace tapegrad::lm
