// libFuzzer target: the plain-text corpus readers (lm/text/corpus.hpp: words or characters, chosen by the input's
// first byte) and a vocabulary built from what they read. Properties for a text that reads: every token id the
// vocabulary gives is in range; the vocabulary's text is valid UTF-8 (the file format, and what a checkpoint's
// metadata must hold); the vocabulary saved as text and parsed again is the same vocabulary; a word corpus
// written with to_text and read again has the same sentences.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/text_file.hpp"
#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

using tapegrad::fuzz::require;
using tapegrad::lm::TokenCorpus;
using tapegrad::lm::Vocab;

namespace {

bool same_sentences(const TokenCorpus& a, const TokenCorpus& b) {
  if (a.num_sentences() != b.num_sentences()) return false;
  for (std::size_t i = 0; i < a.num_sentences(); ++i) {
    const auto x = a.sentence(i), y = b.sentence(i);
    if (!std::equal(x.begin(), x.end(), y.begin(), y.end())) return false;
  }
  return true;
}

void check_vocabulary(const TokenCorpus& corpus) {
  const Vocab vocab = Vocab::build(corpus);
  const tapegrad::lm::IdCorpus ids = vocab.encode(corpus);
  require(ids.num_sentences() == corpus.num_sentences(), "encoding keeps every sentence");
  for (tapegrad::lm::WordId id : ids.ids) require(id < vocab.size(), "every id is in the vocabulary");
  const std::string text = vocab.to_text();
  require(tapegrad::lm::find_invalid_utf8(text) == std::string::npos, "a vocabulary's text is valid UTF-8");
  Vocab again;
  try {
    again = Vocab::parse(text, "fuzz.vocab (written back)");
  } catch (const tapegrad::Error& e) {
    require(false, std::string("a vocabulary built from a text that reads is saved so it loads again: ") + e.what());
  }
  require(again.size() == vocab.size(), "vocabulary round trip keeps the size");
  for (tapegrad::lm::WordId i = 0; i < vocab.size(); ++i)
    require(again.token(i) == vocab.token(i), "vocabulary round trip keeps every token at its id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool chars = data[0] & 1;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (chars) {
      const TokenCorpus corpus = TokenCorpus::parse_chars(std::move(text), "fuzz.txt");
      check_vocabulary(corpus);
    } else {
      const TokenCorpus corpus = TokenCorpus::parse_words(std::move(text), "fuzz.txt");
      // Blank lines carry no sentence, so the written text has as many lines as the corpus has sentences.
      if (corpus.num_sentences() > 0) {
        const TokenCorpus again = TokenCorpus::parse_words(corpus.to_text(), "fuzz.txt (written back)");
        require(same_sentences(corpus, again), "a word corpus written and read again has the same sentences");
      }
      check_vocabulary(corpus);
    }
  } catch (const tapegrad::Error&) {
    // A clean rejection (FormatError naming the file and line).
  }
  return 0;
}
