// Beam search over a TokenSource, with length normalisation (beam_search.hpp).
#include "lm/neural/beam_search.hpp"

#include <algorithm>
#include <any>
#include <cmath>
#include <numeric>
#include <string>

#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

struct Live {
  std::vector<std::int32_t> tokens;
  double log_prob = 0;
  std::any state;  // the source after the tokens
};

struct Extension {
  std::size_t parent;
  std::int32_t token;
  double log_prob;
};

double normalised(double log_prob, std::size_t length, double alpha) {
  if (length == 0 || alpha == 0) return log_prob;
  return log_prob / std::pow(static_cast<double>(length), alpha);
}

// The k best ids of a distribution, best first (ties: the smaller id), −∞ excluded.
std::vector<std::int32_t> best_ids(std::span<const float> lp, std::size_t k) {
  std::vector<std::int32_t> ids(lp.size());
  std::iota(ids.begin(), ids.end(), 0);
  k = std::min(k, ids.size());
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                    [&](std::int32_t a, std::int32_t b) {
                      const float x = lp[static_cast<std::size_t>(a)], y = lp[static_cast<std::size_t>(b)];
                      return x > y || (x == y && a < b);
                    });
  ids.resize(k);
  std::erase_if(ids, [&](std::int32_t id) { return std::isinf(lp[static_cast<std::size_t>(id)]); });
  return ids;
}

}  // namespace

void check_beam_options(const BeamOptions& o) {
  if (o.beam < 1) throw UsageError("beam search: the beam must be at least 1, got " + std::to_string(o.beam));
  if (!(o.length_penalty >= 0) || !std::isfinite(o.length_penalty))
    throw UsageError("beam search: the length penalty must be finite and ≥ 0, got " +
                     std::to_string(o.length_penalty));
  if (o.max_tokens < 0) throw UsageError("beam search: the length must be ≥ 0, got " + std::to_string(o.max_tokens));
}

std::vector<BeamHypothesis> beam_search(TokenSource& lm, std::span<const std::int32_t> prefix,
                                        const BeamOptions& o) {
  check_beam_options(o);
  const auto beam = static_cast<std::size_t>(o.beam);
  const auto eos = static_cast<std::int32_t>(Vocab::kEos);
  lm.reset();
  for (std::int32_t id : prefix) lm.feed(id);
  std::vector<Live> live(1);
  live[0].state = lm.save();
  std::vector<BeamHypothesis> finished;
  bool done = false;
  for (index_t step = 0; step < o.max_tokens && !done && !live.empty(); ++step) {
    // Every live hypothesis offers its beam + 1 best tokens: at least `beam` of them are not </s>, so the best
    // `beam` continuing extensions of the step are among the offers.
    std::vector<Extension> offers;
    for (std::size_t h = 0; h < live.size(); ++h) {
      lm.restore(live[h].state);
      const std::span<const float> lp = lm.log_probs();
      live[h].state = lm.save();  // with its distribution, so the children below need not recompute it
      for (std::int32_t id : best_ids(lp, beam + 1))
        offers.push_back({h, id, live[h].log_prob + static_cast<double>(lp[static_cast<std::size_t>(id)])});
    }
    std::stable_sort(offers.begin(), offers.end(),
                     [](const Extension& a, const Extension& b) { return a.log_prob > b.log_prob; });
    std::vector<Live> next;
    for (std::size_t rank = 0; rank < offers.size() && next.size() < beam; ++rank) {
      const Extension& e = offers[rank];
      std::vector<std::int32_t> tokens = live[e.parent].tokens;
      tokens.push_back(e.token);
      if (o.stop_at_eos && e.token == eos) {
        if (rank < beam) finished.push_back({std::move(tokens), e.log_prob, 0});
        continue;
      }
      lm.restore(live[e.parent].state);
      lm.feed(e.token);
      next.push_back({std::move(tokens), e.log_prob, lm.save()});
    }
    live = std::move(next);
    done = finished.size() >= beam;
  }
  if (!done)
    for (Live& l : live) finished.push_back({std::move(l.tokens), l.log_prob, 0});
  for (BeamHypothesis& h : finished) h.score = normalised(h.log_prob, h.tokens.size(), o.length_penalty);
  std::stable_sort(finished.begin(), finished.end(),
                   [](const BeamHypothesis& a, const BeamHypothesis& b) { return a.score > b.score; });
  if (finished.size() > beam) finished.resize(beam);
  return finished;
}

}  // namespace tapegrad::lm
