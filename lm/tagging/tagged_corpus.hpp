// The Brown corpus as a part-of-speech tagging benchmark (docs/data.md, "Brown part-of-speech tagging"): the same
// sentences and the same cut as the language-modelling protocol, but the words kept as they are (no <unk>) and
// the tags mapped into a tag set (tagset.hpp).
//
// Split. Number the words of all sentences in corpus order, counting one </s> after each sentence; a word at a
// position below options.train_end (800,000) is training, below options.valid_end (1,000,000) validation, the rest
// test. </s> itself is not a tagged word. A sentence cut by a boundary becomes two units, its first part ending one
// split and its second part starting the next: a *unit* is a maximal run of one sentence's words in one split.
//
// Each split is a tagged TokenCorpus, one unit per "sentence", the words exactly as in the corpus (case kept) and the
// tags already mapped. KnownWords is the set of training word forms (case-sensitive): a word outside it is
// *unknown*, the denominator of the unknown-word accuracy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "lm/tagging/string_hash.hpp"
#include "lm/tagging/tag_vocab.hpp"
#include "lm/tagging/tagset.hpp"
#include "lm/text/brown.hpp"
#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

struct TaggedSplits {
  Tagset tagset = Tagset::kBase;
  TokenCorpus train, valid, test;  // tagged; units in corpus order
  std::size_t corpus_tags = 0;     // distinct tags over the whole corpus, in this tag set

  // "train", "valid" or "test"; anything else throws UsageError listing them.
  const TokenCorpus& split(std::string_view name) const;
};

// Splits a Brown corpus by the protocol, tags mapped by `mapping`. Only options.train_end and options.valid_end are
// used. A raw tag the mapping cannot map (univ: missing from the map) throws FormatError naming the tag, the map file
// and the corpus file and line where the tag first occurs.
TaggedSplits make_tagged_splits(const BrownCorpus& corpus, const TagMapping& mapping, const BrownOptions& options = {});

// The word forms of a training split.
class KnownWords {
 public:
  KnownWords() = default;
  explicit KnownWords(const TokenCorpus& train);
  bool contains(std::string_view word) const { return words_.find(word) != words_.end(); }
  std::size_t size() const { return words_.size(); }

 private:
  std::unordered_set<std::string, StringHash, std::equal_to<>> words_;
};

// What the protocol counts of one split.
struct TaggedSplitCounts {
  std::size_t units = 0;
  std::uint64_t words = 0;              // tagged words
  std::uint64_t unknown_words = 0;      // words whose form is not a training word form
  std::uint64_t unseen_tag_tokens = 0;  // words whose tag does not occur in training (always errors)
  std::size_t distinct_tags = 0;        // distinct tags in this split
};

TaggedSplitCounts count_split(const TokenCorpus& split, const KnownWords& known, const TagVocab& train_tags);

}  // namespace tapegrad::lm
