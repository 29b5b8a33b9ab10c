// Decoding text files as UTF-8 (checked) or Latin-1 (converted); see encoding.hpp.
#include "lm/text/encoding.hpp"

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm/text/utf8.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

TextEncoding parse_encoding(const std::string& name) {
  if (name == "utf8" || name == "utf-8" || name == "UTF-8") return TextEncoding::Utf8;
  if (name == "latin1" || name == "latin-1" || name == "iso-8859-1" || name == "ISO-8859-1")
    return TextEncoding::Latin1;
  throw UsageError("unknown text encoding '" + name + "' (expected utf8 or latin1)");
}

const char* encoding_name(TextEncoding encoding) { return encoding == TextEncoding::Utf8 ? "utf8" : "latin1"; }

std::string decode_text(std::string bytes, TextEncoding encoding, const std::string& source) {
  if (encoding == TextEncoding::Latin1) return latin1_to_utf8(bytes);
  require_utf8(bytes, source, "read it with --encoding latin1");
  return bytes;
}

}  // namespace tapegrad::lm
