// libFuzzer target: the ARPA reader (lm/ngram/arpa.hpp) on arbitrary text. A file it accepts must survive a round
// trip: written with write_arpa and read again, it is the same model — the same words, the same n-grams at every
// order, and for each n-gram the same log10 probability and backoff, bit for bit.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "lm/ngram/arpa.hpp"
#include "ops/error.hpp"
#include "fuzz_support.hpp"

namespace {

using tapegrad::lm::BackoffModel;
using tapegrad::lm::kNoEntry;
using tapegrad::lm::WordId;

bool same_number(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// The id in `to` of word `w` of `from` (<s>, the id past the vocabulary, maps to <s>); kNoEntry when it has none.
std::uint32_t map_word(const BackoffModel& from, const BackoffModel& to, WordId w) {
  if (w == from.bos()) return to.bos();
  const auto id = to.vocab().find(from.vocab().token(w));
  return id ? *id : kNoEntry;
}

void require_same_model(const BackoffModel& a, const BackoffModel& b) {
  using tapegrad::fuzz::require;
  require(a.order() == b.order(), "round trip keeps the order");
  require(a.vocab().size() == b.vocab().size(), "round trip keeps the vocabulary size");
  for (int n = 1; n <= a.order(); ++n) {
    require(a.trie().size(n) == b.trie().size(n), "round trip keeps the number of n-grams at every order");
    for (std::uint32_t e = 0; e < a.trie().size(n); ++e) {
      // Find the same n-gram in b, word by word.
      const std::vector<WordId> words = a.trie().ngram(n, e);
      std::uint32_t entry = map_word(a, b, words[0]);
      require(entry != kNoEntry, "round trip keeps every word");
      for (int k = 1; k < n && entry != kNoEntry; ++k) {
        const std::uint32_t w = map_word(a, b, words[static_cast<std::size_t>(k)]);
        require(w != kNoEntry, "round trip keeps every word");
        entry = b.trie().child(k, entry, w);
      }
      require(entry != kNoEntry, "round trip keeps every n-gram");
      require(same_number(a.log10_prob(n, e), b.log10_prob(n, entry)), "round trip keeps every log10 probability");
      require(same_number(a.log10_backoff(n, e), b.log10_backoff(n, entry)), "round trip keeps every backoff");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const BackoffModel model = tapegrad::lm::parse_arpa(text, "fuzz.arpa");
    std::ostringstream written;
    tapegrad::lm::write_arpa(model, written);
    BackoffModel again = [&] {
      try {
        return tapegrad::lm::parse_arpa(written.str(), "fuzz.arpa (written back)");
      } catch (const tapegrad::Error& e) {
        tapegrad::fuzz::require(false, std::string("a model that loads is written so it loads again: ") + e.what());
        throw;
      }
    }();
    require_same_model(model, again);
  } catch (const tapegrad::Error&) {
    // A clean rejection, naming the file and line.
  }
  return 0;
}
