// The one UTF-8 decoder of tapegrad (RFC 3629 / table 3-7 of the Unicode standard: no overlong forms, no surrogates,
// nothing above U+10FFFF). Everything that splits text into characters or checks that text is UTF-8 uses it: the
// character level of the language models, the character encoder of the taggers, the text-file checks.
// Latin-1 (ISO-8859-1) text is turned into UTF-8 here too: each byte is the code point of the same value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::lm {

// The replacement character U+FFFD, as UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Length (1 to 4) of the well-formed UTF-8 sequence that starts at text[i], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Offset of the first byte that starts an invalid UTF-8 sequence, or npos when the whole text is valid.
std::size_t find_invalid_utf8(std::string_view text);

// The code points of valid UTF-8 text, each as a view of its bytes ("naïve" → n a ï v e). Throws UsageError when
// the text is not valid UTF-8 (callers check or decode first).
std::vector<std::string_view> split_code_points(std::string_view text);

// The same on any bytes: every byte that does not start a valid sequence becomes U+FFFD.
std::vector<std::string> split_code_points_lenient(std::string_view text);

// Every byte as the Latin-1 character it stands for, written in UTF-8: bytes < 0x80 stay, a byte b ≥ 0x80 (0x80–0x9F,
// the C1 controls, included) becomes the two bytes 0xC0 | b >> 6, 0x80 | (b & 0x3F).
std::string latin1_to_utf8(std::string_view bytes);

// Whether text is plausibly Latin-1 rather than damaged UTF-8: it has bytes from 0xA0..0xFF (the accented letters
// and signs), none from 0x80..0x9F (C1 control codes, which Latin-1 texts do not use) and no multi-byte UTF-8
// sequence at all (a UTF-8 text with a few bad bytes has many).
bool looks_like_latin1(std::string_view text);

}  // namespace tapegrad::lm
