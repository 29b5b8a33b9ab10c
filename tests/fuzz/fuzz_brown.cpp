// libFuzzer target: the Brown corpus reader (lm/text/brown.hpp) on an arbitrary file: the input becomes the file
// `ca01` of a corpus folder, which BrownCorpus::read reads and split() splits (with split points small enough for
// the input). Properties for a corpus that reads: the splits together hold every word and every </s> of the corpus,
// and every token of every split is in the vocabulary or <unk>.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_support.hpp"
#include "lm/text/brown.hpp"
#include "ops/error.hpp"

using tapegrad::fuzz::require;

namespace {

void require_in_vocabulary(const tapegrad::lm::BrownSplit& split, const tapegrad::lm::Vocab& vocab) {
  for (std::size_t i = 0; i < split.lines.num_sentences(); ++i)
    for (std::string_view token : split.lines.sentence(i))
      require(vocab.contains(token), "every token of a split is in the vocabulary (or <unk>)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path folder = tapegrad::fuzz::scratch_dir() / "brown";
  std::filesystem::create_directories(folder);
  tapegrad::fuzz::scratch_file("brown/ca01", {reinterpret_cast<const char*>(data), size});
  try {
    const tapegrad::lm::BrownCorpus corpus = tapegrad::lm::BrownCorpus::read(folder.string());
    const std::uint64_t stream = corpus.num_words() + corpus.sentences().num_sentences();
    tapegrad::lm::BrownOptions options;
    options.train_end = stream / 2;
    options.valid_end = stream / 2 + stream / 4;
    options.min_count = 1 + size % 2;
    const tapegrad::lm::BrownSplits s = corpus.split(options);
    require(s.train.words + s.valid.words + s.test.words == corpus.num_words(), "the splits hold every word");
    require(s.train.eos + s.valid.eos + s.test.eos == corpus.sentences().num_sentences(),
            "the splits hold every </s>");
    require_in_vocabulary(s.train, s.vocab);
    require_in_vocabulary(s.valid, s.vocab);
    require_in_vocabulary(s.test, s.vocab);
  } catch (const tapegrad::Error&) {
    // A clean rejection (FormatError naming the file and line).
  }
  return 0;
}
