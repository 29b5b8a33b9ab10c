// TagLexicon: for every word form of the training split (case kept), how often it carried each tag — the counts
// c(w, t) behind the most-frequent-tag baseline, the HMM's emissions P(w | t) = c(w, t) / c(t) and, through the
// rare words, its suffix model for unknown words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lm/tagging/string_hash.hpp"
#include "lm/tagging/tag_vocab.hpp"
#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

struct TagCount {
  TagId tag = 0;
  std::uint64_t count = 0;
};

class TagLexicon {
 public:
  struct Entry {
    std::vector<TagCount> tags;  // the tags the word carried, by ascending id, each count ≥ 1
    std::uint64_t total = 0;     // c(w): Σ of the counts
  };

  // Counts a tagged training corpus; every tag must be in `tags` (UsageError naming it otherwise).
  static TagLexicon build(const TokenCorpus& train, const TagVocab& tags);

  // Adds c(w, t) += count (loading a saved model). UsageError for a tag id ≥ num_tags or a zero count.
  void add(std::string_view word, TagId tag, std::uint64_t count, std::size_t num_tags);

  const Entry* find(std::string_view word) const {
    const auto it = entries_.find(word);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::size_t size() const { return entries_.size(); }
  // The words in byte-wise order (for files that must not depend on hashing).
  std::vector<std::string_view> sorted_words() const;
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [word, entry] : entries_) f(std::string_view(word), entry);
  }

 private:
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
};

}  // namespace tapegrad::lm
