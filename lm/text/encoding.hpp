// How the language-model readers decode a text file into the UTF-8 every token is kept in:
//   utf8   (the default) the file must be valid UTF-8; the first invalid byte is a FormatError naming the file, the
//          line, the column and the byte offset, and a file that looks like Latin-1 is told to use latin1;
//   latin1 (ISO-8859-1) every byte is the code point of the same value, so any file decodes (0x80..0x9F become the
//          C1 control characters).
#pragma once

#include <string>

namespace tapegrad::lm {

enum class TextEncoding { Utf8, Latin1 };

TextEncoding parse_encoding(const std::string& name);  // "utf8" | "latin1"; throws UsageError otherwise
const char* encoding_name(TextEncoding encoding);

// The text of `bytes` as UTF-8; `source` names the file in the error of an invalid UTF-8 byte.
std::string decode_text(std::string bytes, TextEncoding encoding, const std::string& source);

}  // namespace tapegrad::lm
