// Using a model: top-k next words, sampling (deterministic per seed), contexts from tokens, perplexity bookkeeping.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "lm/ngram/arpa.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/text/corpus.hpp"
#include "ops/error.hpp"
#include "ops/random.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;

namespace {

// The hand-written bigram model of test_arpa.cpp: unigrams <unk> −1.0, </s> −0.5, a −0.6 (β −0.2), b −0.7;
// <s> β −0.3; bigrams <s> a −0.1, a b −0.4, a </s> −0.3.
const char* kArpa =
    "\\data\\\nngram 1=5\nngram 2=3\n\n\\1-grams:\n-1.0\t<unk>\n-0.5\t</s>\n-99\t<s>\t-0.3\n-0.6\ta\t-0.2\n-0.7\tb\n\n"
    "\\2-grams:\n-0.1\t<s> a\n-0.4\ta b\n-0.3\ta </s>\n\n\\end\\\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(ngram_eval)

// After "a": b 10^−0.4 = 0.398, </s> 10^−0.3 = 0.501, a 10^−0.8 = 0.158, <unk> 10^−1.2 = 0.063.
BOOST_AUTO_TEST_CASE(top_k_is_sorted_by_probability, *boost::unit_test::tolerance(1e-6)) {
  const BackoffModel m = parse_arpa(kArpa, "m.arpa");
  const std::vector<Prediction> top = top_k(m, m.context_of(std::vector<std::string>{"a"}), 3);
  BOOST_TEST_REQUIRE(top.size() == 3u);
  BOOST_TEST(m.vocab().token(top[0].word) == "</s>");
  BOOST_TEST(top[0].prob == std::pow(10.0, -0.3));
  BOOST_TEST(m.vocab().token(top[1].word) == "b");
  BOOST_TEST(top[1].prob == std::pow(10.0, -0.4));
  BOOST_TEST(m.vocab().token(top[2].word) == "a");
  BOOST_TEST(top_k(m, m.sentence_start(), 100).size() == m.vocab().size());
}

BOOST_AUTO_TEST_CASE(same_seed_same_samples) {
  const BackoffModel m = parse_arpa(kArpa, "m.arpa");
  auto sample = [&](std::uint64_t seed) {
    tapegrad::Rng rng(seed);
    std::vector<std::vector<WordId>> out;
    for (int i = 0; i < 20; ++i) out.push_back(generate(m, m.sentence_start(), rng, {.max_words = 8}));
    return out;
  };
  BOOST_TEST((sample(5) == sample(5)));
  BOOST_TEST((sample(5) != sample(6)));
  for (const auto& s : sample(7)) {
    BOOST_TEST(s.size() <= 8u);
    for (WordId w : s) BOOST_TEST((w != Vocab::kUnk && w != Vocab::kEos));
  }
}

// Sampling draws by the distribution: the first word is "a" with probability P(a|<s>) / (1 − P(<unk>|<s>)) (<unk>
// is never drawn); over 2000 samples the rate must be within 4 standard deviations of that.
BOOST_AUTO_TEST_CASE(samples_follow_the_distribution) {
  const BackoffModel m = parse_arpa(kArpa, "m.arpa");
  std::vector<double> p = next_word_probs(m, m.sentence_start());
  p[Vocab::kUnk] = 0;
  double total = 0;
  for (double x : p) total += x;
  const double expected = p[m.vocab().id("a")] / total;
  tapegrad::Rng rng(11);
  int hits = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const std::vector<WordId> s = generate(m, m.sentence_start(), rng, {.max_words = 1});
    hits += !s.empty() && s[0] == m.vocab().id("a");
  }
  const double sd = std::sqrt(expected * (1 - expected) / n);
  BOOST_TEST(std::fabs(static_cast<double>(hits) / n - expected) < 4 * sd);
}

BOOST_AUTO_TEST_CASE(context_from_tokens) {
  const BackoffModel m = parse_arpa(kArpa, "m.arpa");
  BOOST_CHECK_THROW(m.context_of(std::vector<std::string>{"a", "<s>"}), tapegrad::UsageError);
  BOOST_CHECK_THROW(m.prob(std::vector<std::string>{"a"}, "<s>"), tapegrad::UsageError);
  const Context c = m.context_of(std::vector<std::string>{"<s>"});
  BOOST_TEST(c.length == 1);
  BOOST_TEST(c.entry[0] == m.bos());
}

// Two sentences "a b" and "b": tokens 5; log10 P = (−0.1 − 0.4 − 0.5) + (−1.0 − 0.5) = −2.5; PPL = 10^(2.5/5).
BOOST_AUTO_TEST_CASE(perplexity_counts_end_of_sentence_tokens, *boost::unit_test::tolerance(1e-6)) {
  const BackoffModel m = parse_arpa(kArpa, "m.arpa");
  const EvalResult r = evaluate(m, m.vocab().encode(TokenCorpus::parse_words("a b\nb\n", "t")));
  BOOST_TEST(r.sentences == 2u);
  BOOST_TEST(r.words == 3u);
  BOOST_TEST(r.tokens == 5u);
  BOOST_TEST(r.log10_prob == -2.5);
  BOOST_TEST(r.perplexity == std::pow(10.0, 0.5));
}

BOOST_AUTO_TEST_SUITE_END()
