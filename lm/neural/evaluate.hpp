// Perplexity of a token stream under a neural language model: exp of the mean negative log-likelihood per
// predicted token, PPL = exp(−(1/N) Σ_t log P(x_t | x_<t)).
//
// Recurrent models read the stream as `batch` parallel streams in windows of `bptt` steps with the state carried
// through (as in training, with dropout off). The stream is prefixed with one </s> so its first token is predicted
// too; only the first token of each parallel stream after the first (batch − 1 tokens) and the N mod batch tokens at
// the end go unpredicted (with batch 1 every token counts). Window models predict every token, the context before
// the stream padded with </s>.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>

#include "lm/neural/model.hpp"

namespace tapegrad::lm {

struct Perplexity {
  double loss = 0;     // mean negative log-likelihood, nats per token
  index_t tokens = 0;  // predictions counted
  double perplexity() const { return std::exp(loss); }
};

struct PerplexityOptions {
  index_t batch = 10;
  index_t bptt = 35;
  std::function<void(index_t done, index_t total)> progress;  // optional, called after every batch
};

Perplexity evaluate(LanguageModel& model, std::span<const std::int32_t> stream, const PerplexityOptions& options = {});

}  // namespace tapegrad::lm
