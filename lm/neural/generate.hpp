// Using a trained neural language model one token at a time: the next-token distribution after a context, the
// log-probability of a sentence token by token, the top-k next tokens, and generation by sampling (temperature,
// top-k, top-p) or greedily — deterministic for a seed. Beam search is in beam_search.hpp.
//
// A text starts after a sentence boundary: the context begins with </s> (the recurrent model reads it as its first
// input; the window model pads its context with it), exactly as in training, where every sentence follows a </s>.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "autograd/tape.hpp"
#include "lm/neural/model.hpp"
#include "lm/neural/token_source.hpp"

namespace tapegrad::lm {

// A trained model read incrementally with batch 1: each feed runs the network one step further.
class NextToken : public TokenSource {
 public:
  explicit NextToken(LanguageModel& model);

  void reset() override;                // back to the start of a text
  void feed(std::int32_t id) override;  // the context grows by one token
  // log P(next = v | context) for every v of the vocabulary (natural log).
  std::span<const float> log_probs() override;
  index_t vocab_size() const override { return model_.config().vocab; }
  // The recurrent state (or the window), the pending token and the distribution already computed: a copy.
  std::any save() const override;
  void restore(const std::any& state) override;

 private:
  LanguageModel& model_;
  autograd::Tape tape_;
  std::vector<nn::CellStateValue> state_;  // recurrent: the state after the context
  std::vector<std::int32_t> window_;       // window: the last n − 1 ids
  std::int32_t last_ = 0;                  // recurrent: the last id fed, not yet read by the network
  std::vector<float> log_probs_;
  bool fresh_ = false;  // log_probs_ is up to date
};

struct SampleOptions {
  double temperature = 1.0;  // > 0; < 1 sharpens, > 1 flattens
  index_t top_k = 0;         // sample among the k most probable tokens only (0 = all)
  double top_p = 1.0;        // nucleus: among the fewest most probable tokens whose mass reaches p (1 = all)
  bool greedy = false;       // always the most probable token
  std::uint64_t seed = 1;
  index_t max_tokens = 200;
  bool stop_at_eos = false;  // stop after generating </s>
};

// Throws UsageError unless temperature is positive and finite, top_k ≥ 0, 0 < top_p ≤ 1 and max_tokens ≥ 0.
void check_sample_options(const SampleOptions& options);
// One token drawn from a next-token distribution as `options` say (options.seed and max_tokens are not used here —
// the draw comes from rng). In order: greedy takes the most probable token; otherwise the candidates are the top k
// (all with top_k = 0), weighted by P(v)^(1/T) renormalised, then cut to the nucleus of those weights (top_p < 1),
// and one is drawn in proportion to its weight. An entry of −∞ is never drawn (callers forbid tokens so).
std::int32_t draw_token(std::span<const float> log_probs, const SampleOptions& options, Rng& rng);
// The nucleus of a distribution given by log-probabilities (normalised or not: P(v) ∝ exp(log_probs[v])): the
// smallest set of the most probable tokens whose probability adds up to at least p, in decreasing probability
// (ties: the smaller id first). 0 < p ≤ 1; −∞ entries never belong to it.
std::vector<std::int32_t> nucleus(std::span<const float> log_probs, double p);
// Continues `prefix` (fed first, not returned) with up to max_tokens sampled tokens.
std::vector<std::int32_t> generate(TokenSource& lm, std::span<const std::int32_t> prefix,
                                   const SampleOptions& options);
// The k most probable next tokens after `context`, most probable first, with their probabilities (all of them when
// k exceeds the vocabulary). Throws UsageError for k < 1.
std::vector<std::pair<std::int32_t, double>> top_next(TokenSource& lm, std::span<const std::int32_t> context,
                                                      index_t k);
// log P of each token of `tokens` given the ones before it (the text starts after </s>).
std::vector<double> token_log_probs(TokenSource& lm, std::span<const std::int32_t> tokens);

}  // namespace tapegrad::lm
