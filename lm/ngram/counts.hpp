// NgramCounts: how often each n-gram of orders 1..N occurs in a training corpus, counted sentence by sentence the
// way the ARPA tools do. Each sentence w1 … wm is read as  <s> w1 … wm </s>: every token after <s> is predicted,
// so the n-grams are the windows of up to N tokens that end at a predicted token and start no earlier than <s>
// (at the start of a sentence the n-grams are shorter: "<s> w1" is a bigram, never "<s> <s> w1").
//
// Stored in an NgramTrie with parallel arrays:
//   count[n-1][e]   raw count of entry e of level n (level 1: count of word e; count of <s> = number of sentences)
//   suffix[n-1][e]  for n ≥ 2, the level n−1 entry of the same n-gram without its first word (w2 … wn): what
//                   Kneser-Ney needs for continuation counts and lower-order interpolation.
//
// Counting is level by level over the padded token stream: the n-gram ending at position t is (the (n−1)-gram
// ending at t−1, token t), so positions are bucketed by that parent entry (a counting sort) and sorted by word
// inside each bucket; each run of equal words is one new entry. No hashing, no per-n-gram allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lm/ngram/trie.hpp"
#include "lm/text/vocab.hpp"

namespace tapegrad::lm {

struct NgramCounts {
  NgramTrie trie;
  std::vector<std::vector<std::uint32_t>> count;
  std::vector<std::vector<std::uint32_t>> suffix;  // suffix[0] is empty
  std::uint32_t vocab_size = 0;                    // words 0 … vocab_size−1; <s> is vocab_size
  std::uint64_t sentences = 0;
  std::uint64_t tokens = 0;  // predicted tokens: words plus one </s> per sentence

  WordId bos() const { return vocab_size; }
  int order() const { return trie.order(); }

  // Counts the n-grams of orders 1..order of `corpus`, whose ids are below vocab_size. Throws UsageError for
  // an order outside [1, kMaxNgramOrder] (lm/ngram/model.hpp) or an id out of range, FormatError for an empty corpus.
  static NgramCounts build(const IdCorpus& corpus, std::size_t vocab_size, int order);
};

}  // namespace tapegrad::lm
