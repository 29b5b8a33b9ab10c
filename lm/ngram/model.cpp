// Context handling shared by all n-gram models (see ngram_model.hpp).
#include "lm/ngram/model.hpp"

#include <algorithm>
#include <cmath>

#include "ops/error.hpp"

namespace tapegrad::lm {

void check_ngram_order(int order) {
  if (order < 1 || order > kMaxNgramOrder)
    throw UsageError("n-gram order must be between 1 and " + std::to_string(kMaxNgramOrder) + " (got " +
                     std::to_string(order) + ")");
}

NgramModel::NgramModel(Vocab vocab, NgramTrie trie) : vocab_(std::move(vocab)), trie_(std::move(trie)) {
  if (trie_.order() < 1) throw UsageError("NgramModel: a model needs at least the unigram level");
  if (trie_.num_words() != vocab_.size() + 1)
    throw UsageError("NgramModel: the trie has " + std::to_string(trie_.num_words()) + " words for a vocabulary of " +
                     std::to_string(vocab_.size()) + " (+ <s>)");
}

Context NgramModel::no_context() const {
  Context c;
  c.entry.assign(static_cast<std::size_t>(order() - 1), kNoEntry);
  return c;
}

Context NgramModel::sentence_start() const {
  Context c = no_context();
  advance(c, bos());
  return c;
}

// The n-grams ending at the new word extend those ending at the previous one:
//   entry'[j] = child(level j, entry[j−1], w)   for j = 1 … order−2,   entry'[0] = w.
void NgramModel::advance(Context& c, WordId w) const {
  const int top = order() - 1;  // longest useful history
  if (top == 0) return;
  for (int j = std::min(c.length, top - 1); j >= 1; --j) {
    const std::uint32_t e = c.entry[static_cast<std::size_t>(j - 1)];
    c.entry[static_cast<std::size_t>(j)] = e == kNoEntry ? kNoEntry : trie_.child(j, e, w);
  }
  c.entry[0] = w;
  c.length = std::min(c.length + 1, top);
}

Context NgramModel::context_of(std::span<const std::string> history) const {
  Context c = no_context();
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i] == Vocab::kBosToken) {
      if (i != 0) throw UsageError("context: <s> can only be the first token of a history");
      advance(c, bos());
    } else {
      advance(c, vocab_.id(history[i]));
    }
  }
  return c;
}

double NgramModel::prob(std::span<const std::string> history, std::string_view word) const {
  if (word == Vocab::kBosToken) throw UsageError("prob: <s> is never predicted");
  return std::pow(10.0, score(context_of(history), vocab_.id(word)).log10_prob);
}

}  // namespace tapegrad::lm
