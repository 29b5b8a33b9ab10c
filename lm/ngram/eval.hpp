// Using an n-gram model: the score of a sentence token by token, the perplexity of a corpus, the distribution of
// the next word after a context (and its top k), and sampling a continuation.
//
// Perplexity of a corpus of T predicted tokens (words and one </s> per sentence):
//   PPL = 10^(−(1/T) Σ_t log10 P(x_t | history_t)) = exp(mean negative log-likelihood)
// It is infinite as soon as one token has probability 0 (MLE on unseen n-grams); EvalResult then says how many
// tokens did and where the first one is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lm/ngram/model.hpp"
#include "ops/random.hpp"

namespace tapegrad::lm {

struct TokenDetail {
  WordId word = 0;
  double log10_prob = 0;
  int ngram = 0;  // length of the n-gram the probability came from
};

struct SentenceScore {
  double log10_prob = 0;            // Σ over the tokens (−infinity if one has probability 0)
  std::vector<TokenDetail> tokens;  // the words, then </s>
};

// Scores w1 … wm </s> from the sentence start.
SentenceScore score_sentence(const NgramModel& model, std::span<const WordId> words);

struct EvalResult {
  std::uint64_t sentences = 0;
  std::uint64_t words = 0;      // without </s>
  std::uint64_t tokens = 0;     // predicted: words + </s>
  std::uint64_t oov = 0;        // words outside the vocabulary (scored as <unk>)
  std::uint64_t zero_prob = 0;  // tokens with probability 0
  double log10_prob = 0;        // Σ log10 P over the tokens with probability > 0
  double perplexity = 0;        // +infinity when zero_prob > 0
  // Where the first zero-probability token is (valid when zero_prob > 0).
  std::size_t first_zero_sentence = 0, first_zero_token = 0;
};

EvalResult evaluate(const NgramModel& model, const IdCorpus& corpus);

// Why the perplexity is infinite, for people: how many tokens, which n-gram first, where ("" when finite).
std::string explain_infinite(const NgramModel& model, const IdCorpus& corpus, const EvalResult& result);

// P(w | context) for every word id w of the vocabulary (size vocab().size()).
std::vector<double> next_word_probs(const NgramModel& model, const Context& context);

struct Prediction {
  WordId word = 0;
  double prob = 0;
};

// The k most probable next words, most probable first (ties by id).
std::vector<Prediction> top_k(const NgramModel& model, const Context& context, std::size_t k);

struct GenerateOptions {
  std::size_t max_words = 50;  // stop after this many words even without </s>
  bool allow_unk = false;      // when false, <unk> is never drawn (the rest is renormalised)
};

// Words drawn one by one from P(· | context) with rng, until </s> (not included) or max_words. Deterministic for a
// given rng state. Stops early if the model gives no word any probability (an MLE history never seen).
std::vector<WordId> generate(const NgramModel& model, Context context, Rng& rng, const GenerateOptions& options = {});

}  // namespace tapegrad::lm
