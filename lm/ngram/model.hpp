// NgramModel: what every n-gram language model here answers, whatever its smoothing.
//
// Scoring is sentence-based, as in the ARPA tools: a sentence w1 … wm is scored as P(w1 | <s>) · P(w2 | <s> w1)
// · … · P(</s> | … wm), each word seeing at most order−1 previous tokens, <s> included; <unk> is an ordinary word.
// A Context is the model's view of the words before the one being predicted: for each length j, the trie entry of
// the last j tokens (when that j-gram is in the model), so scoring a word and moving past it costs one binary
// search per order.
//
// Implementations: BackoffModel (interpolated Kneser-Ney, or any ARPA file) and CountModel (MLE, add-k).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lm/ngram/trie.hpp"
#include "lm/text/vocab.hpp"

namespace tapegrad::lm {

// The highest n-gram order tapegrad trains or reads. Real models stop at 5 to 7 (higher orders see almost no
// repeated n-grams); the bound keeps `ngram train --order 100000000` from allocating gigabytes of per-order tables
// before it fails, and an ARPA file from declaring millions of orders.
inline constexpr int kMaxNgramOrder = 16;
// Throws UsageError "n-gram order must be between 1 and 16 (got …)" for an order outside [1, kMaxNgramOrder].
void check_ngram_order(int order);

struct Context {
  std::vector<std::uint32_t> entry;  // entry[j-1]: level-j entry of the last j tokens, or kNoEntry (size order−1)
  int length = 0;                    // tokens of history the model can use (≤ order−1), <s> included
};

struct TokenScore {
  double log10_prob = 0;  // −infinity when the model gives the word probability 0
  int ngram = 0;          // length of the n-gram the probability came from (0: none, e.g. an unseen MLE history)
};

class NgramModel {
 public:
  virtual ~NgramModel() = default;

  const Vocab& vocab() const { return vocab_; }
  const NgramTrie& trie() const { return trie_; }
  int order() const { return trie_.order(); }
  WordId bos() const { return static_cast<WordId>(vocab_.size()); }
  // The smoothing, e.g. "interpolated modified Kneser-Ney".
  virtual std::string name() const = 0;

  Context sentence_start() const;  // the context after <s>
  Context no_context() const;      // no history at all (a unigram view)
  // The context after `history`, tokens oldest first; "<s>" may only come first and marks a sentence start;
  // unknown tokens count as <unk>.
  Context context_of(std::span<const std::string> history) const;
  void advance(Context& context, WordId w) const;

  // log10 P(w | context). w is a vocabulary word (not <s>).
  virtual TokenScore score(const Context& context, WordId w) const = 0;
  // score, then advance past w: what scoring a text does token after token (a model may share the lookups).
  virtual TokenScore next(Context& context, WordId w) const {
    const TokenScore s = score(context, w);
    advance(context, w);
    return s;
  }
  // P(word | history) from tokens (see context_of).
  double prob(std::span<const std::string> history, std::string_view word) const;

 protected:
  NgramModel(Vocab vocab, NgramTrie trie);

  Vocab vocab_;
  NgramTrie trie_;
};

}  // namespace tapegrad::lm
