// SuffixModel: tag probabilities for words never seen in training, from their last letters, as in TnT (Brants 2000).
//
// Data. The rare training words — word forms seen at most `rare_max` (10) times — stand in for unknown words. Each
// of their occurrences counts, for every ending s of length 0 … min(max_suffix (10), |w|) bytes, one (s, tag) event;
// the counts are kept apart for capitalised words (first byte A–Z) and the others, since capitalisation says much
// about the tag of an unknown word (proper nouns).
//
// Estimate, for an unknown word w of class k with endings s_0 = "" , s_1, s_2, … (s_i its last i bytes):
//   P_0(t)   = f_k(t | "") / f_k("")                                       the tags of rare words of class k
//   P_i(t)   = ( f_k(t | s_i)/f_k(s_i) + θ P_{i−1}(t) ) / (1 + θ)         while s_i occurred among rare words
// ("successive abstraction": a longer ending refines the estimate of the shorter one), stopping at the first
// ending never seen. θ is the standard deviation of the maximum-likelihood tag probabilities P̂(t) = c(t)/Σc of the
// training split:  θ = sqrt( Σ_t (P̂(t) − 1/T)² / (T − 1) ).
// The HMM needs an emission P(w | t); by Bayes, P(w | t) = P(t | w) P(w) / P(t), and P(w) is the same for every
// tag of the position, so the score log P_L(t) − log P̂(t) (L the last step) serves.
// Only tags with P_0(t) > 0 — tags that rare words of the class carried — are candidates. When a class has no rare
// word at all, the other class's counts serve.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lm/tagging/lexicon.hpp"
#include "lm/tagging/string_hash.hpp"
#include "lm/tagging/tag_vocab.hpp"

namespace tapegrad::lm {

struct SuffixOptions {
  std::uint64_t rare_max = 10;  // words seen at most this often in training feed the model (≥ 1)
  std::size_t max_suffix = 10;  // longest ending, in bytes
};

class SuffixModel {
 public:
  // UsageError for rare_max = 0; FormatError when the lexicon has no rare word.
  static SuffixModel build(const TagLexicon& lexicon, const TagVocab& tags, const SuffixOptions& options = {});

  // The candidate tags of an unknown word and their scores log P(t | endings of w) − log P̂(t), appended.
  void emissions(std::string_view word, std::vector<TagId>& tags, std::vector<float>& scores) const;
  // P_L(t) for every tag (0 for the non-candidates): the estimate after the longest known ending.
  std::vector<double> tag_probabilities(std::string_view word) const;
  // How many bytes of w's ending the estimate used (L above).
  std::size_t matched_length(std::string_view word) const;

  double theta() const { return theta_; }
  const SuffixOptions& options() const { return options_; }
  static bool capitalised(std::string_view word) { return !word.empty() && word[0] >= 'A' && word[0] <= 'Z'; }

 private:
  struct Counts {
    std::vector<TagCount> tags;  // by ascending tag id
    std::uint64_t total = 0;
  };
  using Table = std::unordered_map<std::string, Counts, StringHash, std::equal_to<>>;
  const Table& table_for(std::string_view word) const;
  // P_L into p (size T, zeros elsewhere); returns L.
  std::size_t estimate(std::string_view word, std::vector<double>& p) const;

  SuffixOptions options_;
  std::size_t num_tags_ = 0;
  double theta_ = 0;
  std::vector<double> log_prior_;  // log P̂(t)
  Table table_[2];                 // [0] lower-case and other words, [1] capitalised ones
};

}  // namespace tapegrad::lm
