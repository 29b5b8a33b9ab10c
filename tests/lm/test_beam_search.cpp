// Generation a user expects (issue 14): top-p (nucleus) sampling keeps the smallest set of the most probable tokens
// whose mass reaches p; beam search with beam 1 is greedy decoding, finds the most probable sequence on a hand-made
// bigram model where greedy decoding does not, and ranks by log P / len^α; both are deterministic.
#define BOOST_TEST_MODULE tapegrad_lm_generation
#include <boost/test/unit_test.hpp>
#include <any>
#include <cmath>
#include <set>
#include <vector>

#include "lm/neural/beam_search.hpp"
#include "lm/neural/generate.hpp"
#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

constexpr std::int32_t kUnk = 0, kEos = 1, kA = 2, kB = 3;  // ids as in every vocabulary: <unk>, </s>, then words

// A bigram model written by hand: P(next | last token), the text starting after </s>. Its state is the last token.
class BigramTable : public TokenSource {
 public:
  explicit BigramTable(std::vector<std::vector<double>> probs) {
    for (const auto& row : probs) {
      std::vector<float> lp;
      for (double p : row) lp.push_back(p > 0 ? static_cast<float>(std::log(p)) : -INFINITY);
      table_.push_back(lp);
    }
  }
  index_t vocab_size() const override { return static_cast<index_t>(table_.size()); }
  void reset() override { last_ = kEos; }
  void feed(std::int32_t id) override { last_ = id; }
  std::span<const float> log_probs() override { return table_[static_cast<std::size_t>(last_)]; }
  std::any save() const override { return last_; }
  void restore(const std::any& s) override { last_ = std::any_cast<std::int32_t>(s); }

 private:
  std::vector<std::vector<float>> table_;
  std::int32_t last_ = kEos;
};

// After </s>: a 0.5, b 0.4. After a: every token 0.25. After b: b 0.9. Greedy takes a, then (a tie) <unk>: P = 0.125;
// the best two-token sequence is "b b": P = 0.36.
BigramTable greedy_trap() {
  return BigramTable({/* <unk> */ {0.25, 0.25, 0.25, 0.25},
                      /* </s>  */ {0.05, 0.05, 0.5, 0.4},
                      /* a     */ {0.25, 0.25, 0.25, 0.25},
                      /* b     */ {0.05, 0.025, 0.025, 0.9}});
}

// The log-probability of `tokens` after </s>, by the table.
double log_prob_of(TokenSource& lm, const std::vector<std::int32_t>& tokens) {
  lm.reset();
  double total = 0;
  for (std::int32_t t : tokens) {
    total += lm.log_probs()[static_cast<std::size_t>(t)];
    lm.feed(t);
  }
  return total;
}

// An untrained LSTM over 9 tokens: a real NextToken to compare beam 1 with greedy decoding on.
LanguageModel tiny_model() {
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = 9, cfg.emsize = 4, cfg.nhid = 6;
  Rng init(5);
  return LanguageModel(cfg, init);
}

std::vector<float> log_of(std::vector<double> p) {
  std::vector<float> out;
  for (double v : p) out.push_back(static_cast<float>(std::log(v)));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(top_p_and_beam_search)

BOOST_AUTO_TEST_CASE(nucleus_keeps_the_smallest_most_probable_set_reaching_p_in_probability_order) {
  const std::vector<float> lp = log_of({0.1, 0.4, 0.2, 0.3});
  BOOST_TEST(nucleus(lp, 0.35) == (std::vector<std::int32_t>{1}));
  BOOST_TEST(nucleus(lp, 0.6) == (std::vector<std::int32_t>{1, 3}));  // 0.4 + 0.3 = 0.7 ≥ 0.6; 0.4 alone is not
  BOOST_TEST(nucleus(lp, 0.75) == (std::vector<std::int32_t>{1, 3, 2}));
  BOOST_TEST(nucleus(lp, 0.95) == (std::vector<std::int32_t>{1, 3, 2, 0}));
  BOOST_TEST(nucleus(lp, 1.0).size() == 4u);
  // Unnormalised log-probabilities give the same set; −∞ never belongs to it.
  std::vector<float> shifted = lp;
  for (float& v : shifted) v += 3.0f;
  shifted.push_back(-INFINITY);
  BOOST_TEST(nucleus(shifted, 0.6) == (std::vector<std::int32_t>{1, 3}));
  BOOST_TEST(nucleus(shifted, 1.0).size() == 4u);
  BOOST_CHECK_THROW(nucleus(lp, 0.0), UsageError);
  BOOST_CHECK_THROW(nucleus(lp, 1.5), UsageError);
}

BOOST_AUTO_TEST_CASE(top_p_sampling_draws_only_from_the_nucleus_and_all_of_it) {
  const std::vector<float> lp = log_of({0.1, 0.4, 0.2, 0.3});
  SampleOptions o;
  o.top_p = 0.6;
  Rng rng(11);
  std::set<std::int32_t> seen;
  int ones = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::int32_t t = draw_token(lp, o, rng);
    seen.insert(t);
    ones += t == 1;
  }
  BOOST_TEST((seen == std::set<std::int32_t>{1, 3}));
  // Renormalised within the nucleus: P(1) = 0.4 / 0.7.
  BOOST_TEST(ones / 4000.0 == 0.4 / 0.7, boost::test_tools::tolerance(0.05));
  SampleOptions bad;
  bad.top_p = 0;
  BOOST_CHECK_THROW(check_sample_options(bad), UsageError);
}

BOOST_AUTO_TEST_CASE(top_p_sampling_is_deterministic_for_a_seed) {
  LanguageModel model = tiny_model();
  NextToken next(model);
  SampleOptions o;
  o.top_p = 0.8;
  o.max_tokens = 30;
  o.seed = 42;
  const std::vector<std::int32_t> prefix{2, 3};
  const auto a = generate(next, prefix, o);
  const auto b = generate(next, prefix, o);
  BOOST_TEST(a == b);
  BOOST_TEST(a.size() == 30u);
  o.seed = 43;
  BOOST_TEST(generate(next, prefix, o) != a);
}

BOOST_AUTO_TEST_CASE(beam_one_is_greedy_decoding) {
  LanguageModel model = tiny_model();
  NextToken next(model);
  for (bool stop : {false, true}) {
    SampleOptions greedy;
    greedy.greedy = true;
    greedy.max_tokens = 25;
    greedy.stop_at_eos = stop;
    const std::vector<std::int32_t> prefix{4};
    const std::vector<std::int32_t> expected = generate(next, prefix, greedy);
    BeamOptions b;
    b.beam = 1;
    b.max_tokens = 25;
    b.stop_at_eos = stop;
    const std::vector<BeamHypothesis> found = beam_search(next, prefix, b);
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].tokens == expected);
  }
  BigramTable trap = greedy_trap();
  SampleOptions greedy;
  greedy.greedy = true;
  greedy.max_tokens = 2;
  BeamOptions b;
  b.beam = 1;
  b.max_tokens = 2;
  BOOST_TEST(beam_search(trap, {}, b)[0].tokens == generate(trap, {}, greedy));
}

BOOST_AUTO_TEST_CASE(beam_search_finds_the_best_sequence_where_greedy_does_not) {
  BigramTable trap = greedy_trap();
  SampleOptions greedy;
  greedy.greedy = true;
  greedy.max_tokens = 2;
  const std::vector<std::int32_t> g = generate(trap, {}, greedy);
  BOOST_TEST(g == (std::vector<std::int32_t>{kA, kUnk}));
  BOOST_TEST(std::exp(log_prob_of(trap, g)) == 0.125, boost::test_tools::tolerance(1e-6));

  // The best of all 16 two-token sequences, by enumeration.
  std::vector<std::int32_t> best;
  double best_lp = -INFINITY;
  for (std::int32_t x = 0; x < 4; ++x)
    for (std::int32_t y = 0; y < 4; ++y)
      if (const double lp = log_prob_of(trap, {x, y}); lp > best_lp) best_lp = lp, best = {x, y};
  BOOST_TEST(best == (std::vector<std::int32_t>{kB, kB}));

  BeamOptions b;
  b.beam = 2;
  b.max_tokens = 2;
  const std::vector<BeamHypothesis> found = beam_search(trap, {}, b);
  BOOST_TEST_REQUIRE(found.size() == 2u);
  BOOST_TEST(found[0].tokens == best);
  BOOST_TEST(found[0].log_prob == best_lp, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(found[0].score == best_lp / 2.0, boost::test_tools::tolerance(1e-6));  // α = 1, two tokens
  BOOST_TEST(found[1].log_prob <= found[0].log_prob);
  // Deterministic: the same search twice gives the same hypotheses.
  const std::vector<BeamHypothesis> again = beam_search(trap, {}, b);
  for (std::size_t i = 0; i < found.size(); ++i) BOOST_TEST(again[i].tokens == found[i].tokens);
}

BOOST_AUTO_TEST_CASE(length_penalty_ranks_finished_hypotheses_by_log_prob_over_length_to_the_alpha) {
  // After </s>: </s> 0.5, a 0.5; after a: </s> 0.9. "</s>" has log P = ln 0.5 over 1 token, "a </s>" ln 0.45 over 2.
  BigramTable table({{0.25, 0.25, 0.25, 0.25}, {0, 0.5, 0.5, 0}, {0, 0.9, 0, 0.1}, {0.25, 0.25, 0.25, 0.25}});
  BeamOptions b;
  b.beam = 2;
  b.max_tokens = 5;
  b.stop_at_eos = true;
  b.length_penalty = 0;  // raw log-probability: the shorter one wins
  std::vector<BeamHypothesis> found = beam_search(table, {}, b);
  BOOST_TEST_REQUIRE(found.size() == 2u);
  BOOST_TEST(found[0].tokens == (std::vector<std::int32_t>{kEos}));
  BOOST_TEST(found[1].tokens == (std::vector<std::int32_t>{kA, kEos}));
  b.length_penalty = 1;  // ln 0.45 / 2 = −0.40 beats ln 0.5 / 1 = −0.69
  found = beam_search(table, {}, b);
  BOOST_TEST(found[0].tokens == (std::vector<std::int32_t>{kA, kEos}));
  BOOST_TEST(found[0].score == std::log(0.45) / 2, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(found[1].score == std::log(0.5), boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(beam_search_refuses_bad_options) {
  BigramTable trap = greedy_trap();
  BeamOptions zero;
  zero.beam = 0;
  BOOST_CHECK_THROW(beam_search(trap, {}, zero), UsageError);
  BeamOptions negative;
  negative.length_penalty = -1;
  BOOST_CHECK_THROW(beam_search(trap, {}, negative), UsageError);
  BeamOptions nan;
  nan.length_penalty = std::nan("");
  BOOST_CHECK_THROW(beam_search(trap, {}, nan), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
