// libFuzzer target: the vocabulary file reader (lm::Vocab::parse, which also reads the vocabulary a checkpoint's
// metadata holds). Properties for a file that reads: every token is found at its own id, and the vocabulary written
// with to_text and parsed again is the same vocabulary.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

using tapegrad::fuzz::require;
using tapegrad::lm::Vocab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const Vocab vocab = Vocab::parse(text, "fuzz.vocab");
    for (tapegrad::lm::WordId i = 0; i < vocab.size(); ++i)
      require(vocab.find(vocab.token(i)) == i, "every token is found at its id");
    Vocab again;
    try {
      again = Vocab::parse(vocab.to_text(), "fuzz.vocab (written back)");
    } catch (const tapegrad::Error& e) {
      require(false, std::string("a vocabulary that loads is saved so it loads again: ") + e.what());
    }
    require(again.size() == vocab.size(), "round trip keeps the size");
    for (tapegrad::lm::WordId i = 0; i < vocab.size(); ++i)
      require(again.token(i) == vocab.token(i), "round trip keeps every token at its id");
  } catch (const tapegrad::Error&) {
    // A clean rejection (FormatError naming the file and line).
  }
  return 0;
}
