// Interpolated modified Kneser-Ney on toy corpora whose probabilities are derived by hand below, from the formulas
// of lm/ngram/kneser_ney.hpp (Chen & Goodman 1998 with lmplz's conventions). The expected numbers come from these
// derivations, not from running the code.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "lm/ngram/eval.hpp"
#include "lm/ngram/kneser_ney.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;
using tapegrad::lm::test::check_throws;

namespace {

struct Toy {
  TokenCorpus text;
  Vocab vocab;
  NgramCounts counts;
  Toy(std::vector<std::vector<std::string>> sentences, int order)
      : text(TokenCorpus::from_sentences(sentences)),
        vocab(Vocab::build(text, 1)),
        counts(NgramCounts::build(vocab.encode(text), vocab.size(), order)) {}
};

double P(const NgramModel& m, std::vector<std::string> history, const std::string& w) { return m.prob(history, w); }

}  // namespace

BOOST_AUTO_TEST_SUITE(kneser_ney)

// ---------------------------------------------------------------------------------------------------------------
// Toy 1, order 2, discounts estimated from the data. Sentences: "a" · "b a" · "a c" · "a a" · "c" · "c c a".
// Vocabulary (count order): <unk> </s> a(6) c(4) b(1), so |V| = 5.
//
// 2-grams (highest order: raw counts), from <s> a </s> · <s> b a </s> · <s> a c </s> · <s> a a </s> · <s> c </s>
// · <s> c c a </s>:
//   <s> a 3   <s> b 1   <s> c 2   a </s> 4   a c 1   a a 1   b a 1   c </s> 2   c c 1   c a 1
//   count-of-counts n1 = 6, n2 = 2, n3 = 1, n4 = 1
//   Y = 6/(6 + 2·2) = 0.6;  D1 = 1 − 2·0.6·2/6 = 0.6;  D2 = 2 − 3·0.6·1/2 = 1.1;  D3+ = 3 − 4·0.6·1/1 = 0.6
// 1-grams (continuation counts: distinct left neighbours, <s> included):
//   a: {<s>, b, a, c} = 4   c: {<s>, a, c} = 3   </s>: {a, c} = 2   b: {<s>} = 1   <unk>: 0
//   n1 = n2 = n3 = n4 = 1:  Y = 1/3;  D1 = 1 − 2/3 = 1/3;  D2 = 2 − 1 = 1;  D3+ = 3 − 4/3 = 5/3
// Unigrams: Σ a = 10; γ = (D1·1 + D2·1 + D3+·2)/10 = (1/3 + 1 + 10/3)/10 = 7/15; uniform share γ/|V| = 7/75.
//   P(a) = (4 − 5/3)/10 + 7/75 = 49/150     P(c) = (3 − 5/3)/10 + 7/75 = 17/75
//   P(</s>) = (2 − 1)/10 + 7/75 = 29/150    P(b) = (1 − 1/3)/10 + 7/75 = 4/25     P(<unk>) = 7/75
// Bigrams:
//   context a: a </s> 4, a c 1, a a 1; Σ = 6; γ(a) = (0.6·2 + 0.6·1)/6 = 0.3
//     P(</s>|a) = (4 − 0.6)/6 + 0.3·29/150 = 0.624666…   P(c|a) = 0.4/6 + 0.3·17/75 = 0.134666…
//     P(a|a) = 0.4/6 + 0.3·49/150 = 0.164666…            P(b|a) = 0.3·4/25 = 0.048 (unseen: backoff)
//   context <s>: <s> a 3, <s> b 1, <s> c 2; Σ = 6; γ(<s>) = (0.6 + 1.1 + 0.6)/6 = 2.3/6
//     P(a|<s>) = 2.4/6 + (2.3/6)·49/150 = 0.525222…       P(b|<s>) = 0.4/6 + (2.3/6)·4/25 = 0.128
//     P(</s>|<s>) = (2.3/6)·29/150 = 0.0741111…           P(<unk>|<s>) = (2.3/6)·7/75 = 0.0357777…
//   context b: b a 1; Σ = 1; γ(b) = 0.6;  P(a|b) = 0.4 + 0.6·49/150 = 0.596
//   context c: c </s> 2, c c 1, c a 1; Σ = 4; γ(c) = (0.6·2 + 1.1)/4 = 0.575
//     P(</s>|c) = (2 − 1.1)/4 + 0.575·29/150 = 0.336166…
// Sentence "b a": P(b|<s>)·P(a|b)·P(</s>|a) = 0.128 · 0.596 · 0.624666… = 0.0476552…
BOOST_AUTO_TEST_CASE(toy_bigram_with_estimated_discounts, *boost::unit_test::tolerance(1e-6)) {
  Toy toy({{"a"}, {"b", "a"}, {"a", "c"}, {"a", "a"}, {"c"}, {"c", "c", "a"}}, 2);
  std::vector<KnOrderStats> stats;
  const BackoffModel m = estimate_kneser_ney(toy.vocab, toy.counts, {}, &stats);

  BOOST_TEST_REQUIRE(stats.size() == 2u);
  BOOST_TEST(stats[1].n[1] == 6u);
  BOOST_TEST(stats[1].n[2] == 2u);
  BOOST_TEST(stats[1].n[3] == 1u);
  BOOST_TEST(stats[1].n[4] == 1u);
  BOOST_TEST(stats[1].discount[1] == 0.6);
  BOOST_TEST(stats[1].discount[2] == 1.1);
  BOOST_TEST(stats[1].discount[3] == 0.6);
  BOOST_TEST(stats[0].discount[1] == 1.0 / 3);
  BOOST_TEST(stats[0].discount[2] == 1.0);
  BOOST_TEST(stats[0].discount[3] == 5.0 / 3);

  BOOST_TEST(P(m, {}, "a") == 49.0 / 150);
  BOOST_TEST(P(m, {}, "c") == 17.0 / 75);
  BOOST_TEST(P(m, {}, "</s>") == 29.0 / 150);
  BOOST_TEST(P(m, {}, "b") == 4.0 / 25);
  BOOST_TEST(P(m, {}, "<unk>") == 7.0 / 75);
  BOOST_TEST(P(m, {}, "never-seen") == 7.0 / 75);  // an unknown word is <unk>

  BOOST_TEST(P(m, {"a"}, "</s>") == 3.4 / 6 + 0.3 * 29 / 150);
  BOOST_TEST(P(m, {"a"}, "c") == 0.4 / 6 + 0.3 * 17 / 75);
  BOOST_TEST(P(m, {"a"}, "a") == 0.4 / 6 + 0.3 * 49 / 150);
  BOOST_TEST(P(m, {"a"}, "b") == 0.048);
  BOOST_TEST(P(m, {"<s>"}, "a") == 2.4 / 6 + 2.3 / 6 * 49 / 150);
  BOOST_TEST(P(m, {"<s>"}, "b") == 0.128);
  BOOST_TEST(P(m, {"<s>"}, "</s>") == 2.3 / 6 * 29 / 150);
  BOOST_TEST(P(m, {"<s>"}, "<unk>") == 2.3 / 6 * 7 / 75);
  BOOST_TEST(P(m, {"b"}, "a") == 0.596);
  BOOST_TEST(P(m, {"c"}, "</s>") == 0.9 / 4 + 0.575 * 29 / 150);
  BOOST_TEST(P(m, {"x", "y", "b"}, "a") == 0.596);  // only the last word counts at order 2

  // Backoff weights as stored for ARPA: log10 γ.
  BOOST_TEST(m.log10_backoff(1, toy.vocab.id("a")) == std::log10(0.3));
  BOOST_TEST(m.log10_backoff(1, m.bos()) == std::log10(2.3 / 6));

  const std::vector<WordId> b_a = {toy.vocab.id("b"), toy.vocab.id("a")};
  const SentenceScore s = score_sentence(m, b_a);
  BOOST_TEST(std::pow(10.0, s.log10_prob) == 0.128 * 0.596 * (3.4 / 6 + 0.3 * 29 / 150));
  BOOST_TEST_REQUIRE(s.tokens.size() == 3u);
  BOOST_TEST(s.tokens[2].word == Vocab::kEos);
  BOOST_TEST(s.tokens[2].ngram == 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Toy 2, order 3, fixed discounts D1 = 0.5, D2 = 1, D3+ = 1.5 (so the counts conventions stand out).
// Sentences "x y" · "x y" · "z y":  <s> x y </s> · <s> x y </s> · <s> z y </s>.  Vocabulary <unk> </s> y x z, |V| = 5.
//   3-grams (raw):      <s> x y 2   x y </s> 2   <s> z y 1   z y </s> 1
//   2-grams (adjusted): <s> x 2 and <s> z 1 keep their raw counts (nothing precedes <s>);
//                       x y: {<s>} = 1 (raw 2)   z y: {<s>} = 1   y </s>: {x, z} = 2 (raw 3)
//   1-grams (adjusted): x: {<s>} = 1   z: {<s>} = 1   y: {x, z} = 2   </s>: {y} = 1   <unk>: 0
// Unigrams: Σ = 5; γ = (0.5·3 + 1·1)/5 = 0.5; γ/|V| = 0.1
//   P(x) = 0.5/5 + 0.1 = 0.2   P(z) = 0.2   P(y) = 1/5 + 0.1 = 0.3   P(</s>) = 0.2   P(<unk>) = 0.1
// Bigrams:
//   <s>: Σ = 3, γ = (1 + 0.5)/3 = 0.5:  P(x|<s>) = 1/3 + 0.1 = 0.4333…  P(z|<s>) = 0.5/3 + 0.1 = 0.2666…
//        P(y|<s>) = 0.5·0.3 = 0.15
//   x:   Σ = 1, γ = 0.5:  P(y|x) = 0.5 + 0.5·0.3 = 0.65   P(</s>|x) = 0.5·0.2 = 0.1
//   y:   Σ = 2, γ = 0.5:  P(</s>|y) = 1/2 + 0.5·0.2 = 0.6   P(x|y) = 0.5·0.2 = 0.1
// Trigrams:
//   <s> x: Σ = 2, γ = 0.5:  P(y|<s> x) = 1/2 + 0.5·0.65 = 0.825   P(</s>|<s> x) = 0.5·0.1 = 0.05
//   x y:   Σ = 2, γ = 0.5:  P(</s>|x y) = 1/2 + 0.5·0.6 = 0.8     P(x|x y) = 0.5·P(x|y) = 0.05
//   <s> z: Σ = 1, γ = 0.5 (a count of 1 takes D1):  P(y|<s> z) = 0.5 + 0.5·0.65 = 0.825
//   y x (never a context): P(y|y x) = P(y|x) = 0.65
// Sentence "x y": P(x|<s>)·P(y|<s> x)·P(</s>|x y) = 0.4333… · 0.825 · 0.8 = 0.286
BOOST_AUTO_TEST_CASE(toy_trigram_conventions_for_sentence_starts_and_continuations,
                     *boost::unit_test::tolerance(1e-6)) {
  Toy toy({{"x", "y"}, {"x", "y"}, {"z", "y"}}, 3);
  const std::vector<std::vector<std::uint32_t>> a = kn_adjusted_counts(toy.counts);
  const NgramTrie& t = toy.counts.trie;
  const WordId x = toy.vocab.id("x"), y = toy.vocab.id("y"), z = toy.vocab.id("z"), bos = toy.counts.bos();
  BOOST_TEST(a[1][t.child(1, bos, x)] == 2u);
  BOOST_TEST(a[1][t.child(1, bos, z)] == 1u);
  BOOST_TEST(a[1][t.child(1, x, y)] == 1u);
  BOOST_TEST(a[1][t.child(1, y, Vocab::kEos)] == 2u);
  BOOST_TEST(a[0][y] == 2u);
  BOOST_TEST(a[0][Vocab::kEos] == 1u);
  BOOST_TEST(a[0][bos] == 0u);

  KnOptions fixed;
  fixed.fixed_discounts = std::array<double, 3>{0.5, 1.0, 1.5};
  const BackoffModel m = estimate_kneser_ney(toy.vocab, toy.counts, fixed);
  BOOST_TEST(P(m, {}, "x") == 0.2);
  BOOST_TEST(P(m, {}, "y") == 0.3);
  BOOST_TEST(P(m, {}, "</s>") == 0.2);
  BOOST_TEST(P(m, {}, "<unk>") == 0.1);
  BOOST_TEST(P(m, {"<s>"}, "x") == 1.0 / 3 + 0.1);
  BOOST_TEST(P(m, {"<s>"}, "z") == 0.5 / 3 + 0.1);
  BOOST_TEST(P(m, {"<s>"}, "y") == 0.15);
  BOOST_TEST(P(m, {"x"}, "y") == 0.65);
  BOOST_TEST(P(m, {"x"}, "</s>") == 0.1);
  BOOST_TEST(P(m, {"y"}, "</s>") == 0.6);
  BOOST_TEST(P(m, {"<s>", "x"}, "y") == 0.825);
  BOOST_TEST(P(m, {"<s>", "x"}, "</s>") == 0.05);
  BOOST_TEST(P(m, {"x", "y"}, "</s>") == 0.8);
  BOOST_TEST(P(m, {"x", "y"}, "x") == 0.05);
  BOOST_TEST(P(m, {"<s>", "z"}, "y") == 0.825);
  BOOST_TEST(P(m, {"y", "x"}, "y") == 0.65);
  const std::vector<WordId> xy = {x, y};
  BOOST_TEST(std::pow(10.0, score_sentence(m, xy).log10_prob) == (1.0 / 3 + 0.1) * 0.825 * 0.8);
}

// Every context's distribution sums to 1 over the vocabulary (</s> and <unk> included), at every order.
BOOST_AUTO_TEST_CASE(distributions_sum_to_one, *boost::unit_test::tolerance(1e-5)) {
  Toy toy({{"a"}, {"b", "a"}, {"a", "c"}, {"a", "a"}, {"c"}, {"c", "c", "a"}, {"b", "c", "a", "a"}}, 3);
  KnOptions o;
  o.discount_fallback = true;
  const BackoffModel m = estimate_kneser_ney(toy.vocab, toy.counts, o);
  const std::vector<std::vector<std::string>> histories = {{},         {"<s>"},    {"a"},      {"<s>", "a"},
                                                           {"c", "a"}, {"b", "c"}, {"a", "b"}, {"zzz", "a"}};
  for (const auto& h : histories) {
    double total = 0;
    for (double p : next_word_probs(m, m.context_of(h))) total += p;
    BOOST_TEST(total == 1.0);
  }
}

BOOST_AUTO_TEST_CASE(discounts_that_cannot_be_estimated) {
  // n2 = 0: D2 = 2 − 3Y n3/n2 divides by zero.
  check_throws<FormatError>(
      [] {
        kn_discounts({0, 5, 0, 1, 1}, 2, {});
      },
      {"2-grams", "no 2-gram has count 2", "--discount-fallback"});
  // n3 large: D2 = 2 − 3·(10/14)·10/2 < 0.
  check_throws<FormatError>([] { kn_discounts({0, 10, 2, 10, 1}, 3, {}); }, {"3-grams", "D2", "outside"});
  KnOptions o;
  o.discount_fallback = true;
  std::string why;
  const auto d = kn_discounts({0, 5, 0, 1, 1}, 2, o, &why);
  BOOST_TEST(d[1] == 0.5);
  BOOST_TEST(d[2] == 1.0);
  BOOST_TEST(d[3] == 1.5);
  BOOST_TEST(why.find("no 2-gram has count 2") != std::string::npos);
  // The formula itself on round numbers: n = 4, 2, 1, 1 -> Y = 0.5, D1 = 0.5, D2 = 1.25, D3+ = 1.
  const auto e = kn_discounts({0, 4, 2, 1, 1}, 1, {});
  BOOST_TEST(e[1] == 0.5);
  BOOST_TEST(e[2] == 1.25);
  BOOST_TEST(e[3] == 1.0);
}

BOOST_AUTO_TEST_CASE(tiny_corpus_needs_the_fallback) {
  Toy toy({{"a", "b"}}, 2);
  check_throws<FormatError>([&] { estimate_kneser_ney(toy.vocab, toy.counts); }, {"cannot estimate", "1-grams"});
  KnOptions o;
  o.discount_fallback = true;
  std::vector<KnOrderStats> stats;
  const BackoffModel m = estimate_kneser_ney(toy.vocab, toy.counts, o, &stats);
  BOOST_TEST(stats[0].fell_back);
  BOOST_TEST(stats[1].fell_back);
  BOOST_TEST(m.order() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
