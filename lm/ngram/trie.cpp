// NgramTrie lookups and construction checks (see ngram_trie.hpp).
#include "lm/ngram/trie.hpp"

#include <algorithm>

#include "ops/error.hpp"

namespace tapegrad::lm {

void NgramTrie::add_level(std::vector<std::uint32_t> first_child, std::vector<WordId> words) {
  if (levels_.empty()) throw UsageError("NgramTrie::add_level: the trie has no unigram level");
  const std::size_t parents = size(order());
  if (first_child.size() != parents + 1 || first_child.front() != 0 || first_child.back() != words.size())
    throw UsageError("NgramTrie::add_level: first_child must have " + std::to_string(parents + 1) +
                     " entries from 0 to " + std::to_string(words.size()));
  if (words.size() >= kNoEntry) throw UsageError("NgramTrie::add_level: more than 2^32-1 n-grams in one order");
  for (std::size_t p = 0; p < parents; ++p) {
    if (first_child[p] > first_child[p + 1]) throw UsageError("NgramTrie::add_level: first_child decreases");
    for (std::uint32_t e = first_child[p] + 1; e < first_child[p + 1]; ++e)
      if (words[e - 1] >= words[e]) throw UsageError("NgramTrie::add_level: children not strictly increasing");
  }
  levels_.back().first_child = std::move(first_child);
  levels_.push_back({std::move(words), {}});
}

std::uint32_t NgramTrie::child(int n, std::uint32_t e, WordId w) const {
  if (n >= order()) return kNoEntry;
  const std::vector<std::uint32_t>& first = levels_[n - 1].first_child;
  const std::vector<WordId>& words = levels_[n].words;
  const auto begin = words.begin() + first[e], end = words.begin() + first[e + 1];
  const auto it = std::lower_bound(begin, end, w);
  return it != end && *it == w ? static_cast<std::uint32_t>(it - words.begin()) : kNoEntry;
}

std::uint32_t NgramTrie::parent(int n, std::uint32_t e) const {
  const std::vector<std::uint32_t>& first = levels_[n - 2].first_child;
  return static_cast<std::uint32_t>(std::upper_bound(first.begin(), first.end(), e) - first.begin() - 1);
}

std::vector<WordId> NgramTrie::ngram(int n, std::uint32_t e) const {
  std::vector<WordId> words(static_cast<std::size_t>(n));
  for (int level = n; level >= 1; --level) {
    words[static_cast<std::size_t>(level - 1)] = word(level, e);
    if (level > 1) e = parent(level, e);
  }
  return words;
}

std::size_t NgramTrie::memory_bytes() const {
  std::size_t bytes = 0;
  for (const Level& l : levels_) bytes += (l.words.capacity() + l.first_child.capacity()) * sizeof(std::uint32_t);
  return bytes;
}

}  // namespace tapegrad::lm
