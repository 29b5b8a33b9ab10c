// Writing sentences of a given label with a ConditionedLM: the model reads </s>, then the prefix, then each word it
// draws (temperature, top-k, or greedy: lm/neural/generate.hpp's draw_token), until it draws </s> or max_tokens
// words are written. Deterministic: the same options (seed included) give the same words.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lm/conditioned/conditioned_lm.hpp"
#include "lm/neural/generate.hpp"

namespace tapegrad::lm {

struct ConditionedSampleOptions {
  SampleOptions sample{.max_tokens = 60};  // temperature, top_k, greedy, seed, max_tokens (stop_at_eos: always)
  bool allow_unk = false;                  // may <unk> be drawn (by default it never is)
};

// The words after `prefix` (prefix excluded, </s> not included). </s> is never the first word of an empty
// sentence: a sentence has at least one word. Throws UsageError for a bad label id or bad sampling options.
std::vector<std::int32_t> generate_conditioned(ConditionedLM& model, std::int32_t label,
                                               std::span<const std::int32_t> prefix,
                                               const ConditionedSampleOptions& options);

}  // namespace tapegrad::lm
