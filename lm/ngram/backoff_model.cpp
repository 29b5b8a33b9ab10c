// Backoff scoring over the trie (see backoff_model.hpp).
#include "lm/ngram/backoff_model.hpp"

#include <algorithm>
#include <cmath>

#include "ops/error.hpp"

namespace tapegrad::lm {

BackoffModel::BackoffModel(Vocab vocab, NgramTrie trie, std::vector<std::vector<float>> log10_prob,
                           std::vector<std::vector<float>> log10_backoff, std::string name)
    : NgramModel(std::move(vocab), std::move(trie)),
      log10_prob_(std::move(log10_prob)),
      log10_backoff_(std::move(log10_backoff)),
      name_(std::move(name)) {
  const auto levels = static_cast<std::size_t>(order());
  if (log10_prob_.size() != levels || log10_backoff_.size() + 1 < levels)
    throw UsageError("BackoffModel: need probabilities for every level and backoffs below the top");
  for (std::size_t n = 0; n < levels; ++n) {
    if (log10_prob_[n].size() != trie_.size(static_cast<int>(n + 1)) ||
        (n + 1 < levels && log10_backoff_[n].size() != trie_.size(static_cast<int>(n + 1))))
      throw UsageError("BackoffModel: level " + std::to_string(n + 1) + " arrays do not match the trie");
  }
}

// Longest listed n-gram first; each shorter try multiplies in the backoff of the context it drops.
TokenScore BackoffModel::score(const Context& context, WordId w) const {
  double backoff = 0;
  for (int j = std::min(context.length, order() - 1); j >= 1; --j) {
    const std::uint32_t h = context.entry[static_cast<std::size_t>(j - 1)];
    if (h == kNoEntry) continue;  // the history of length j is not listed: β = 1
    if (const std::uint32_t e = trie_.child(j, h, w); e != kNoEntry)
      return {log10_prob_[static_cast<std::size_t>(j)][e] + backoff, j + 1};
    backoff += log10_backoff_[static_cast<std::size_t>(j - 1)][h];
  }
  const float p = log10_prob_[0][w];
  return {std::isinf(p) ? -HUGE_VAL : p + backoff, 1};
}

// The lookups child(j, entry[j−1], w), longest first, are both the candidates for P(w | ·) and the entries of the
// next context (entry'[j] = child(j, entry[j−1], w)), so each is done once and written in place: going down in j,
// entry[j] is overwritten only after entry[j] (as the history of length j+1) has been used.
TokenScore BackoffModel::next(Context& context, WordId w) const {
  const int top = order() - 1;
  TokenScore result{0, 0};
  double backoff = 0;
  for (int j = std::min(context.length, top); j >= 1; --j) {
    const std::uint32_t h = context.entry[static_cast<std::size_t>(j - 1)];
    const std::uint32_t e = h == kNoEntry ? kNoEntry : trie_.child(j, h, w);
    if (result.ngram == 0) {
      if (e != kNoEntry)
        result = {log10_prob_[static_cast<std::size_t>(j)][e] + backoff, j + 1};
      else if (h != kNoEntry)
        backoff += log10_backoff_[static_cast<std::size_t>(j - 1)][h];
    }
    if (j < top) context.entry[static_cast<std::size_t>(j)] = e;
  }
  if (result.ngram == 0) result = {log10_prob_[0][w] + backoff, 1};
  if (top > 0) {
    context.entry[0] = w;
    context.length = std::min(context.length + 1, top);
  }
  return result;
}

std::size_t BackoffModel::memory_bytes() const {
  std::size_t bytes = trie_.memory_bytes();
  for (const auto& v : log10_prob_) bytes += v.capacity() * sizeof(float);
  for (const auto& v : log10_backoff_) bytes += v.capacity() * sizeof(float);
  return bytes;
}

}  // namespace tapegrad::lm
