// CountModel: the two textbook estimates straight from the n-gram counts, with the full history h of up to
// order−1 tokens and no backoff:
//   MLE     P(w | h) = c(h w) / c(h ·)                         0 for an n-gram never seen in training
//   add-k   P(w | h) = (c(h w) + k) / (c(h ·) + k·|V|)         Laplace when k = 1
// where c(h ·) = Σ_v c(h v) is how often h was followed by a word, and |V| the number of words that can be
// predicted (the vocabulary, </s> and <unk> included, <s> not). A history never seen in training has no MLE
// estimate (probability 0 here, reported as such) and a uniform add-k estimate, k / (k·|V|) = 1/|V|.
// MLE shows the sparsity problem honestly: one unseen n-gram in a test text makes its perplexity infinite.
#pragma once

#include <string>
#include <vector>

#include "lm/ngram/counts.hpp"
#include "lm/ngram/model.hpp"

namespace tapegrad::lm {

class CountModel : public NgramModel {
 public:
  // k = 0 is MLE; k > 0 is add-k.
  CountModel(Vocab vocab, NgramCounts counts, double k);

  std::string name() const override;
  TokenScore score(const Context& context, WordId w) const override;
  double k() const { return k_; }
  std::uint32_t count(int n, std::uint32_t e) const { return count_[static_cast<std::size_t>(n - 1)][e]; }

 private:
  std::vector<std::vector<std::uint32_t>> count_;
  std::vector<std::vector<std::uint64_t>> followers_;  // c(h ·) for every entry h below the top level
  std::uint64_t unigram_total_ = 0;                    // Σ c(w) over predicted words (<s> excluded)
  double k_ = 0;
};

}  // namespace tapegrad::lm
