// NgramTrie: the n-grams of orders 1..N of a model, as flat sorted arrays (no node per n-gram).
//
// Level 1 is dense: entry w *is* word w, for every word of the vocabulary plus <s>. Level n ≥ 2 stores, for each
// n-gram, only its last word; the n-grams that share a prefix (their context) are contiguous and sorted by that
// word, and entry p of level n−1 finds its children at level n in [first_child[p], first_child[p+1]). So
//   entry(w1 … wn) = child(level n−1, entry(w1 … wn−1), wn),
// one binary search per word. A model keeps its per-n-gram numbers (counts, probabilities, backoffs) in arrays
// parallel to the levels. Memory: 4 bytes per n-gram plus 4 per n-gram that has children.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lm/text/vocab.hpp"

namespace tapegrad::lm {

inline constexpr std::uint32_t kNoEntry = ~std::uint32_t{0};

class NgramTrie {
 public:
  NgramTrie() = default;
  explicit NgramTrie(std::uint32_t num_words) : num_words_(num_words), levels_(1) {}

  // Appends level order()+1. `first_child` has size(order()) + 1 entries, non-decreasing, from 0 to words.size();
  // within each range the words strictly increase. Throws UsageError when that does not hold.
  void add_level(std::vector<std::uint32_t> first_child, std::vector<WordId> words);

  int order() const { return static_cast<int>(levels_.size()); }
  std::uint32_t num_words() const { return num_words_; }
  std::size_t size(int n) const { return n == 1 ? num_words_ : levels_[n - 1].words.size(); }
  WordId word(int n, std::uint32_t e) const { return n == 1 ? e : levels_[n - 1].words[e]; }

  // Entry of level n+1 extending entry e of level n by w, or kNoEntry (also when n is the top level).
  std::uint32_t child(int n, std::uint32_t e, WordId w) const;
  // The children of entry e of level n: entries [begin, end) of level n+1 (empty at the top level).
  std::uint32_t children_begin(int n, std::uint32_t e) const { return n < order() ? levels_[n - 1].first_child[e] : 0; }
  std::uint32_t children_end(int n, std::uint32_t e) const {
    return n < order() ? levels_[n - 1].first_child[e + 1] : 0;
  }
  bool has_children(int n, std::uint32_t e) const { return children_end(n, e) > children_begin(n, e); }
  // The level n−1 entry whose child e of level n is (n ≥ 2); a binary search.
  std::uint32_t parent(int n, std::uint32_t e) const;
  // The words of entry e of level n, oldest first.
  std::vector<WordId> ngram(int n, std::uint32_t e) const;

  std::size_t memory_bytes() const;

 private:
  struct Level {
    std::vector<WordId> words;               // empty for level 1
    std::vector<std::uint32_t> first_child;  // empty for the top level
  };
  std::uint32_t num_words_ = 0;
  std::vector<Level> levels_;  // levels_[n-1] is level n
};

}  // namespace tapegrad::lm
