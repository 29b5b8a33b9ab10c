// MLE and add-k scoring from counts (see count_model.hpp).
#include "lm/ngram/count_model.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ops/error.hpp"

namespace tapegrad::lm {

CountModel::CountModel(Vocab vocab, NgramCounts counts, double k)
    : NgramModel(std::move(vocab), std::move(counts.trie)), count_(std::move(counts.count)), k_(k) {
  if (!(k >= 0) || !std::isfinite(k)) throw UsageError("add-k smoothing needs a finite k ≥ 0");
  for (WordId w = 0; w < bos(); ++w) unigram_total_ += count_[0][w];
  for (int n = 1; n < order(); ++n) {
    std::vector<std::uint64_t> total(trie_.size(n), 0);
    for (std::uint32_t h = 0; h < total.size(); ++h)
      for (std::uint32_t e = trie_.children_begin(n, h); e < trie_.children_end(n, h); ++e)
        total[h] += count_[static_cast<std::size_t>(n)][e];
    followers_.push_back(std::move(total));
  }
}

std::string CountModel::name() const {
  if (k_ == 0) return "maximum likelihood (MLE)";
  std::ostringstream s;
  s << "add-k (k = " << k_ << ")" << (k_ == 1 ? ", Laplace" : "");
  return s.str();
}

TokenScore CountModel::score(const Context& context, WordId w) const {
  const int m = std::min(context.length, order() - 1);  // history length used
  std::uint64_t c = 0, total = 0;
  if (m == 0) {
    c = count_[0][w];
    total = unigram_total_;
  } else if (const std::uint32_t h = context.entry[static_cast<std::size_t>(m - 1)]; h != kNoEntry) {
    total = followers_[static_cast<std::size_t>(m - 1)][h];
    if (const std::uint32_t e = trie_.child(m, h, w); e != kNoEntry) c = count_[static_cast<std::size_t>(m)][e];
  }
  if (k_ == 0) {
    if (c == 0) return {-HUGE_VAL, total == 0 ? 0 : m + 1};
    return {std::log10(static_cast<double>(c) / static_cast<double>(total)), m + 1};
  }
  const double V = static_cast<double>(vocab_.size());
  return {std::log10((static_cast<double>(c) + k_) / (static_cast<double>(total) + k_ * V)), total == 0 ? 0 : m + 1};
}

}  // namespace tapegrad::lm
