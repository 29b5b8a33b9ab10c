// TagTransitions: the trigram transition model P(c | a, b) of the HMM tagger, estimated from the tag sequences of the
// training split with the n-gram code of lm/ngram.
//
// Counting. Each unit's tags t1 … tm are one "sentence" of an n-gram corpus over the tag vocabulary, read as
// <s> t1 … tm </s> (NgramCounts, order 3): f(c) counts tag c (and f(</s>) the units), f(b c) and f(a b c) the
// tag bigrams and trigrams, f(<s>) the units, N the predicted tokens (tags plus one </s> per unit).
//
// Smoothing "tnt" — deleted interpolation as in TnT (Brants 2000):
//   P(c | a, b) = λ3 f(a b c)/f(a b) + λ2 f(b c)/f(b) + λ1 f(c)/N
// with λ1 + λ2 + λ3 = 1 estimated once from the counts themselves: every trigram (a b c) of the training data
// gives its count f(a b c) to the λ of whichever of
//   (f(a b c) − 1)/(f(a b) − 1),   (f(b c) − 1)/(f(b) − 1),   (f(c) − 1)/(N − 1)
// is largest (a ratio with a zero denominator counts as 0; a tie goes to the higher order) — each estimate judged
// with the event itself held out. Two edge cases:
//   - the start (a = b = <s>): the history <s> <s> occurs exactly as often as <s>, so its trigram estimate is the
//     bigram one: P(c | <s>, <s>) = (λ3 + λ2) f(<s> c)/f(<s>) + λ1 f(c)/N;
//   - a history (a b) never seen in training has no trigram estimate; the other two are renormalised:
//     P(c | a, b) = (λ2 f(b c)/f(b) + λ1 f(c)/N) / (λ1 + λ2).
// Smoothing "kn" — interpolated modified Kneser-Ney (lm/ngram/kneser_ney.hpp) over the same counts; the start
// context is the model's sentence start <s>.
//
// Every history that occurs in training gets its own precomputed row of num_tags()+1 log-probabilities; the unseen
// ones share the row of their last tag b (both smoothings then depend on b alone). Memory: one float per (seen
// tag bigram, tag) pair — 2.7 MB for Brown's base tags, 12.6 MB for its raw tags.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lm/ngram/counts.hpp"
#include "lm/tagging/tag_vocab.hpp"
#include "lm/tagging/viterbi.hpp"
#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

enum class TransitionSmoothing { kDeletedInterpolation, kKneserNey };

// "tnt" or "kn"; anything else throws UsageError listing both.
TransitionSmoothing parse_transition_smoothing(std::string_view name);
std::string_view transition_smoothing_name(TransitionSmoothing s);

class TagTransitions : public TransitionScores {
 public:
  // The tag n-grams of orders 1–3 of a tagged corpus; n-gram word ids are tag id + 2 (0 is <unk>, 1 is </s>, and
  // <s> is num_tags + 2). Every tag must be in `tags` (UsageError otherwise).
  static NgramCounts count(const TokenCorpus& train, const TagVocab& tags);

  // FormatError when the counts do not belong to num_tags tags or (kn) the discounts cannot be estimated.
  TagTransitions(NgramCounts counts, std::size_t num_tags, TransitionSmoothing smoothing);

  std::size_t num_tags() const override { return num_tags_; }
  const float* row(TagId a, TagId b) const override {
    return rows_.data() + std::size_t{row_of_[std::size_t{a} * (num_tags_ + 1) + b]} * (num_tags_ + 1);
  }
  // log P(c | a, b) (c = num_tags() for </s>).
  double log_prob(TagId a, TagId b, TagId c) const { return row(a, b)[c]; }

  TransitionSmoothing smoothing() const { return smoothing_; }
  // λ1, λ2, λ3 of deleted interpolation (zeros for kn).
  const std::array<double, 3>& lambdas() const { return lambdas_; }
  const NgramCounts& counts() const { return counts_; }
  std::size_t num_rows() const { return rows_.size() / (num_tags_ + 1); }

 private:
  NgramCounts counts_;
  std::size_t num_tags_;
  TransitionSmoothing smoothing_;
  std::array<double, 3> lambdas_{};
  std::vector<float> rows_;            // row r is [r·(T+1), (r+1)·(T+1))
  std::vector<std::uint32_t> row_of_;  // (a, b) → its row, (T+1)² entries
};

}  // namespace tapegrad::lm
