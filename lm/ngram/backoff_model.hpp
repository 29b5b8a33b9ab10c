// BackoffModel: an n-gram model stored the ARPA way — for every listed n-gram its log10 probability and, when it is
// the context of longer n-grams, its log10 backoff weight. Interpolated Kneser-Ney estimates one (kneser_ney.hpp);
// an ARPA file from KenLM, SRILM or tapegrad loads into one (arpa.hpp).
//
// Scoring ("Katz-style" backoff, the ARPA semantics):
//   P(w | h) = P*(h w)                        if the n-gram h w is listed
//            = β(h) · P(w | h without its first word)   otherwise,
// with β(h) = 1 when h is not listed as an n-gram. For interpolated Kneser-Ney the listed P* already contains the
// lower orders, P*(h w) = (c'(h w) − D)/Σ c'(h ·) + γ(h) P(w | h'), and β(h) = γ(h), so the two forms agree.
#pragma once

#include <string>
#include <vector>

#include "lm/ngram/model.hpp"

namespace tapegrad::lm {

// ARPA's log10 P(<s>): −99 by convention, since <s> is a context and never predicted.
inline constexpr float kBosLog10Prob = -99.0f;

class BackoffModel : public NgramModel {
 public:
  // log10_prob[n-1] and log10_backoff[n-1] run parallel to level n of the trie; log10_backoff has no top level.
  BackoffModel(Vocab vocab, NgramTrie trie, std::vector<std::vector<float>> log10_prob,
               std::vector<std::vector<float>> log10_backoff, std::string name);

  std::string name() const override { return name_; }
  TokenScore score(const Context& context, WordId w) const override;
  // One trie lookup per order gives both the probability and the next context.
  TokenScore next(Context& context, WordId w) const override;

  float log10_prob(int n, std::uint32_t e) const { return log10_prob_[static_cast<std::size_t>(n - 1)][e]; }
  // 0 at the top level and for n-grams that are no context.
  float log10_backoff(int n, std::uint32_t e) const {
    return n < order() ? log10_backoff_[static_cast<std::size_t>(n - 1)][e] : 0.0f;
  }
  std::size_t memory_bytes() const;

 private:
  std::vector<std::vector<float>> log10_prob_, log10_backoff_;
  std::string name_;
};

}  // namespace tapegrad::lm
