// Viterbi decoding for a second-order (trigram) hidden Markov model over tags.
//
// For words w1 … wn the model scores a tag sequence t1 … tn as
//   log P(t, w) = Σ_{i=1..n} [ log P(t_i | t_{i-2}, t_{i-1}) + log P(w_i | t_i) ] + log P(</s> | t_{n-1}, t_n)
// with t_{-1} = t_0 = <s>. Each position i has a set of candidate tags C_i (with their emission scores
// e_i(t) = log P(w_i | t), up to a constant per position); the best sequence is found by dynamic programming over
// the states (t_{i-1}, t_i):
//   δ_1(<s>, t)  = log P(t | <s>, <s>) + e_1(t)
//   δ_i(u, v)    = max_{s ∈ C_{i-2}} [ δ_{i-1}(s, u) + log P(v | s, u) ] + e_i(v)        (u ∈ C_{i-1}, v ∈ C_i)
//   ψ_i(u, v)    = the s that attains the max
//   best         = max_{u, v} δ_n(u, v) + log P(</s> | u, v),  then t_{i-2} = ψ_i(t_{i-1}, t_i) backwards.
// Cost: Σ_i |C_{i-2}| |C_{i-1}| |C_i|. A beam (as in TnT) drops, after each position, the states whose δ is below the
// best δ there by more than log(beam); beam = 0 keeps every state and the result is the exact maximum.
// Ties go to the candidate listed first (smaller index in C), so decoding is deterministic.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

#include "lm/tagging/tag_vocab.hpp"

namespace tapegrad::lm {

// log P(c | a, b) for tags 0 … num_tags()−1 and the boundary num_tags(), which stands for <s> in a history (a, b)
// and for </s> as the predicted c.
class TransitionScores {
 public:
  virtual ~TransitionScores() = default;
  virtual std::size_t num_tags() const = 0;
  // The num_tags()+1 values log P(c | a, b), c = 0 … num_tags() (the last: </s>).
  virtual const float* row(TagId a, TagId b) const = 0;
  TagId boundary() const { return static_cast<TagId>(num_tags()); }
};

// The candidate tags of each position of a sentence, with their emission scores.
class Lattice {
 public:
  void clear() {
    tags_.clear();
    emission_.clear();
    begin_.assign(1, 0);
  }
  // Starts the next position; its candidates follow with add().
  void next_position() { begin_.push_back(tags_.size()); }
  void add(TagId tag, float log_emission) {
    assert(begin_.size() > 1 && "Lattice::add before the first next_position()");
    tags_.push_back(tag);
    emission_.push_back(log_emission);
    ++begin_.back();
  }
  std::size_t size() const { return begin_.size() - 1; }
  std::span<const TagId> tags(std::size_t i) const { return {tags_.data() + begin_[i], begin_[i + 1] - begin_[i]}; }
  std::span<const float> emissions(std::size_t i) const {
    return {emission_.data() + begin_[i], begin_[i + 1] - begin_[i]};
  }

 private:
  std::vector<TagId> tags_;
  std::vector<float> emission_;
  std::vector<std::size_t> begin_{0};  // position i is [begin_[i], begin_[i+1])
};

struct ViterbiResult {
  std::vector<TagId> tags;
  double log_prob = 0;  // the best sequence's score (−infinity when every sequence has probability 0)
};

// The best tag sequence. UsageError when a position has no candidate or a candidate is not a tag.
ViterbiResult viterbi(const TransitionScores& transitions, const Lattice& lattice, double beam = 0);

}  // namespace tapegrad::lm
