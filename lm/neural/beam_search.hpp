// Beam search: the most probable continuations of a prefix under a language model, found by keeping the `beam`
// best partial sequences at every step instead of one (greedy) or a random one (sampling).
//
// Each step extends every live hypothesis by each token and keeps the `beam` best extensions by log-probability
// (all live hypotheses have the same length, so the raw sum ranks them). With stop_at_eos, an extension by </s> that
// ranks among the `beam` best of its step is finished and leaves the beam; the search ends when `beam` hypotheses
// have finished, none is live, or max_tokens tokens were generated (then the live ones join the finished). The
// hypotheses are then ranked by the length-normalised score
//     score = log P(tokens | prefix) / len^α        (len: tokens generated, </s> included; α = length_penalty)
// which, with α > 0, keeps short sentences from winning merely for having fewer factors below 1 (Wu et al. 2016
// use a variant of it). Without stop_at_eos every hypothesis has max_tokens tokens and α changes nothing.
// With beam 1 the search is greedy decoding. Deterministic: ties go to the earlier hypothesis, then the smaller id.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lm/neural/token_source.hpp"

namespace tapegrad::lm {

struct BeamOptions {
  index_t beam = 4;            // hypotheses kept per step, ≥ 1
  double length_penalty = 1;   // α ≥ 0 of score = log P / len^α (0: the raw log-probability)
  index_t max_tokens = 200;    // tokens generated at most
  bool stop_at_eos = false;    // </s> ends a hypothesis
};

struct BeamHypothesis {
  std::vector<std::int32_t> tokens;  // generated (the prefix excluded), ending with </s> when it finished so
  double log_prob = 0;               // natural log of P(tokens | prefix)
  double score = 0;                  // log_prob / len^α
};

// Throws UsageError unless beam ≥ 1, α is finite and ≥ 0 and max_tokens ≥ 0.
void check_beam_options(const BeamOptions& options);
// The hypotheses the search ends with (at most `beam`, at least one), best score first. Feeds `prefix` first.
std::vector<BeamHypothesis> beam_search(TokenSource& lm, std::span<const std::int32_t> prefix,
                                        const BeamOptions& options);

}  // namespace tapegrad::lm
