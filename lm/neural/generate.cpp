// NextToken (incremental evaluation with batch 1), sampling (temperature, top-k, top-p), top-k and scoring.
#include "lm/neural/generate.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "autograd/functions.hpp"
#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using autograd::NoGradGuard;
using autograd::Var;

NextToken::NextToken(LanguageModel& model) : model_(model) { reset(); }

void NextToken::reset() {
  state_.clear();
  last_ = static_cast<std::int32_t>(Vocab::kEos);
  window_.assign(static_cast<std::size_t>(model_.config().recurrent() ? 0 : model_.config().context),
                 static_cast<std::int32_t>(Vocab::kEos));
  fresh_ = false;
}

void NextToken::feed(std::int32_t id) {
  if (id < 0 || id >= model_.config().vocab)
    throw UsageError("NextToken::feed: id " + std::to_string(id) + " is outside the vocabulary of " +
                     std::to_string(model_.config().vocab));
  if (model_.config().recurrent()) {
    log_probs();  // runs the network over the pending token, so the state includes it
    last_ = id;
  } else {
    std::rotate(window_.begin(), window_.begin() + 1, window_.end());
    window_.back() = id;
  }
  fresh_ = false;
}

std::span<const float> NextToken::log_probs() {
  if (fresh_) return log_probs_;
  tape_.clear();
  NoGradGuard no_grad(tape_);
  Rng unused(0);
  Var logits;
  if (model_.config().recurrent()) {
    RNNLM& m = model_.rnn();
    m.eval();
    std::vector<nn::CellState> initial;
    for (const auto& v : state_) initial.push_back(nn::to_state(tape_, v));
    const std::int32_t input[1] = {last_};
    const RNNLM::Output& out = m.forward(tape_, input, {}, 1, 1, initial, unused);
    state_.clear();
    for (const auto& s : out.final_states) state_.push_back(nn::to_value(s));
    logits = out.logits;
  } else {
    WindowLM& m = model_.window();
    m.eval();
    logits = m.forward(tape_, window_, {}, 1, unused).logits;
  }
  const Var lp = autograd::log_softmax(logits);
  log_probs_.assign(lp.value().data, lp.value().data + lp.value().numel());
  // The recurrent network has now read last_: feeding the next id must not read it again.
  fresh_ = true;
  return log_probs_;
}

namespace {
struct NextTokenState {
  std::vector<nn::CellStateValue> state;
  std::vector<std::int32_t> window;
  std::int32_t last = 0;
  std::vector<float> log_probs;
  bool fresh = false;
};
}  // namespace

std::any NextToken::save() const { return NextTokenState{state_, window_, last_, log_probs_, fresh_}; }

void NextToken::restore(const std::any& state) {
  const auto* s = std::any_cast<NextTokenState>(&state);
  if (s == nullptr) throw UsageError("NextToken::restore: not a state saved by a NextToken");
  state_ = s->state;
  window_ = s->window;
  last_ = s->last;
  log_probs_ = s->log_probs;
  fresh_ = s->fresh;
}

namespace {
// Indices of the k largest values, largest first (ties: the smaller index first); k ≥ 1 (more than the size: all).
std::vector<std::int32_t> best_k(std::span<const float> v, index_t k) {
  if (k < 1) throw UsageError("top-k: k must be at least 1, got " + std::to_string(k));
  std::vector<std::int32_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min<index_t>(k, static_cast<index_t>(v.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](std::int32_t a, std::int32_t b) {
    return v[static_cast<std::size_t>(a)] > v[static_cast<std::size_t>(b)] ||
           (v[static_cast<std::size_t>(a)] == v[static_cast<std::size_t>(b)] && a < b);
  });
  idx.resize(static_cast<std::size_t>(k));
  return idx;
}
}  // namespace

void check_sample_options(const SampleOptions& o) {
  if (!(o.temperature > 0) || !std::isfinite(o.temperature))
    throw UsageError("generate: the temperature must be positive and finite, got " + std::to_string(o.temperature));
  if (o.top_k < 0) throw UsageError("generate: top-k must be ≥ 0, got " + std::to_string(o.top_k));
  if (!(o.top_p > 0 && o.top_p <= 1))
    throw UsageError("generate: top-p must be in (0, 1], got " + std::to_string(o.top_p));
  if (o.max_tokens < 0) throw UsageError("generate: the length must be ≥ 0, got " + std::to_string(o.max_tokens));
}

std::int32_t draw_token(std::span<const float> lp, const SampleOptions& o, Rng& rng) {
  if (o.greedy) return best_k(lp, 1)[0];
  // P(v) ∝ exp(log p(v) / T), over the top k when asked; drawn by inverting the cumulative sum.
  std::vector<std::int32_t> candidates;
  if (o.top_k > 0) {
    candidates = best_k(lp, o.top_k);
  } else {
    candidates.resize(lp.size());
    std::iota(candidates.begin(), candidates.end(), 0);
  }
  double top = -INFINITY;
  for (std::int32_t c : candidates) top = std::max(top, static_cast<double>(lp[static_cast<std::size_t>(c)]));
  std::vector<double> weights(candidates.size());
  double total = 0;
  std::size_t last_positive = 0;  // where a draw lands when rounding leaves u ≥ 0 after every weight
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    total += weights[i] = std::exp((lp[static_cast<std::size_t>(candidates[i])] - top) / o.temperature);
    if (weights[i] > 0) last_positive = i;
  }
  if (o.top_p < 1) {
    // The nucleus of the weights (they are the tempered distribution, up to the factor 1/total), in decreasing
    // weight; the draw is among its members only.
    std::vector<std::size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return weights[a] > weights[b] || (weights[a] == weights[b] && candidates[a] < candidates[b]);
    });
    std::vector<std::int32_t> kept;
    std::vector<double> kept_weights;
    double mass = 0;
    for (std::size_t j : order) {
      if (!(weights[j] > 0)) break;
      kept.push_back(candidates[j]);
      kept_weights.push_back(weights[j]);
      mass += weights[j];
      if (mass >= o.top_p * total) break;
    }
    if (!kept.empty()) {  // (empty only when no weight is positive: then the draw below is as without top-p)
      candidates = std::move(kept);
      weights = std::move(kept_weights);
      total = mass;
      last_positive = candidates.size() - 1;
    }
  }
  double u = rng.uniform_double() * total;
  std::size_t i = 0;
  while (i < last_positive && u >= weights[i]) u -= weights[i++];
  return candidates[i];
}

std::vector<std::int32_t> nucleus(std::span<const float> lp, double p) {
  if (!(p > 0 && p <= 1)) throw UsageError("top-p: p must be in (0, 1], got " + std::to_string(p));
  std::vector<std::int32_t> order(lp.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return lp[static_cast<std::size_t>(a)] > lp[static_cast<std::size_t>(b)];
  });
  double top = order.empty() ? -INFINITY : static_cast<double>(lp[static_cast<std::size_t>(order[0])]);
  double total = 0;
  for (float v : lp) total += std::exp(static_cast<double>(v) - top);
  std::vector<std::int32_t> kept;
  double mass = 0;
  for (std::int32_t id : order) {
    const double w = std::exp(static_cast<double>(lp[static_cast<std::size_t>(id)]) - top);
    if (!(w > 0)) break;
    kept.push_back(id);
    mass += w;
    if (mass >= p * total) break;
  }
  return kept;
}

std::vector<std::int32_t> generate(TokenSource& lm, std::span<const std::int32_t> prefix, const SampleOptions& o) {
  check_sample_options(o);
  lm.reset();
  for (std::int32_t id : prefix) lm.feed(id);
  Rng rng(o.seed);
  std::vector<std::int32_t> out;
  for (index_t n = 0; n < o.max_tokens; ++n) {
    const std::int32_t next = draw_token(lm.log_probs(), o, rng);
    out.push_back(next);
    lm.feed(next);
    if (o.stop_at_eos && next == static_cast<std::int32_t>(Vocab::kEos)) break;
  }
  return out;
}

std::vector<std::pair<std::int32_t, double>> top_next(TokenSource& lm, std::span<const std::int32_t> context, index_t k) {
  lm.reset();
  for (std::int32_t id : context) lm.feed(id);
  const std::span<const float> lp = lm.log_probs();
  std::vector<std::pair<std::int32_t, double>> out;
  for (std::int32_t id : best_k(lp, k)) out.emplace_back(id, std::exp(lp[static_cast<std::size_t>(id)]));
  return out;
}

std::vector<double> token_log_probs(TokenSource& lm, std::span<const std::int32_t> tokens) {
  lm.reset();
  std::vector<double> out;
  for (std::int32_t id : tokens) {
    if (id < 0 || id >= lm.vocab_size()) throw UsageError("token_log_probs: id outside the vocabulary");
    out.push_back(lm.log_probs()[static_cast<std::size_t>(id)]);
    lm.feed(id);
  }
  return out;
}

}  // namespace tapegrad::lm
