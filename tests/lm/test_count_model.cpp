// MLE and add-k on the toy corpus "x y" · "x y" · "z y" (<s> x y </s> · <s> x y </s> · <s> z y </s>), derived by
// hand from the raw counts: 2-grams <s> x 2, <s> z 1, x y 2, z y 1, y </s> 3; unigrams x 2, y 3, z 1, </s> 3
// (9 predicted tokens); |V| = 5 (<unk> </s> y x z).
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "lm/ngram/count_model.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/ngram/train.hpp"
#include "lm/text/corpus.hpp"
#include "ops/error.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;

namespace {

struct Fixture {
  TokenCorpus text = TokenCorpus::from_sentences({{"x", "y"}, {"x", "y"}, {"z", "y"}});
  Vocab vocab = Vocab::build(text, 1);
  IdCorpus ids = vocab.encode(text);

  std::unique_ptr<NgramModel> model(int order, Smoothing s, double k = 1) const {
    NgramOptions o;
    o.order = order;
    o.smoothing = s;
    o.k = k;
    return train_ngram(ids, vocab, o);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(count_models)

// MLE bigram: P(x|<s>) = 2/3, P(z|<s>) = 1/3, P(y|<s>) = 0, P(y|x) = 2/2 = 1, P(</s>|y) = 3/3 = 1.
// Unigram: P(y) = 3/9.
BOOST_AUTO_TEST_CASE(mle_by_hand, *boost::unit_test::tolerance(1e-12)) {
  const Fixture f;
  const auto m2 = f.model(2, Smoothing::kMle);
  BOOST_TEST(m2->prob(std::vector<std::string>{"<s>"}, "x") == 2.0 / 3);
  BOOST_TEST(m2->prob(std::vector<std::string>{"<s>"}, "z") == 1.0 / 3);
  BOOST_TEST(m2->prob(std::vector<std::string>{"<s>"}, "y") == 0.0);
  BOOST_TEST(m2->prob(std::vector<std::string>{"x"}, "y") == 1.0);
  BOOST_TEST(m2->prob(std::vector<std::string>{"y"}, "</s>") == 1.0);
  const auto m1 = f.model(1, Smoothing::kMle);
  BOOST_TEST(m1->prob(std::vector<std::string>{"anything"}, "y") == 3.0 / 9);
  BOOST_TEST(m1->prob(std::vector<std::string>{}, "</s>") == 3.0 / 9);
}

// Add-1 bigram: (c + 1)/(c(h ·) + 5): P(y|x) = 3/7, P(y|<s>) = 1/8, P(x|<s>) = 3/8; an unseen history (<unk> was
// never followed by anything) is uniform, 1/5. Add-0.5: P(y|x) = 2.5/(2 + 2.5) = 5/9.
BOOST_AUTO_TEST_CASE(add_k_by_hand, *boost::unit_test::tolerance(1e-12)) {
  const Fixture f;
  const auto laplace = f.model(2, Smoothing::kAddK, 1.0);
  BOOST_TEST(laplace->prob(std::vector<std::string>{"x"}, "y") == 3.0 / 7);
  BOOST_TEST(laplace->prob(std::vector<std::string>{"<s>"}, "y") == 1.0 / 8);
  BOOST_TEST(laplace->prob(std::vector<std::string>{"<s>"}, "x") == 3.0 / 8);
  BOOST_TEST(laplace->prob(std::vector<std::string>{"<unk>"}, "x") == 1.0 / 5);
  const auto half = f.model(2, Smoothing::kAddK, 0.5);
  BOOST_TEST(half->prob(std::vector<std::string>{"x"}, "y") == 5.0 / 9);
  BOOST_TEST(half->name().find("0.5") != std::string::npos);
}

// Test text "x y" · "y": MLE gives P(y|<s>) = 0, so the perplexity is infinite and the report says where.
// Add-1 on the same text: P(x|<s>) = 3/8, P(y|x) = 3/7, P(</s>|y) = 4/8, P(y|<s>) = 1/8, P(</s>|y) = 4/8;
// perplexity = (3/8 · 3/7 · 1/2 · 1/8 · 1/2)^(−1/5).
BOOST_AUTO_TEST_CASE(perplexity_infinite_for_mle_finite_for_add_k, *boost::unit_test::tolerance(1e-9)) {
  const Fixture f;
  const IdCorpus test = f.vocab.encode(TokenCorpus::parse_words("x y\ny\n", "test.txt"));
  const auto mle = f.model(2, Smoothing::kMle);
  const EvalResult r = evaluate(*mle, test);
  BOOST_TEST(r.tokens == 5u);
  BOOST_TEST(r.zero_prob == 1u);
  BOOST_TEST(std::isinf(r.perplexity));
  const std::string why = explain_infinite(*mle, test, r);
  BOOST_TEST(why.find("infinite") != std::string::npos);
  BOOST_TEST(why.find("'y' after '<s>'") != std::string::npos);
  BOOST_TEST(why.find("test.txt:2") != std::string::npos);

  const auto laplace = f.model(2, Smoothing::kAddK, 1.0);
  const EvalResult a = evaluate(*laplace, test);
  BOOST_TEST(a.zero_prob == 0u);
  BOOST_TEST(a.perplexity == std::pow(3.0 / 8 * 3.0 / 7 * 0.5 * 1.0 / 8 * 0.5, -1.0 / 5));
  BOOST_TEST(explain_infinite(*laplace, test, a).empty());
}

BOOST_AUTO_TEST_CASE(bad_smoothing_arguments) {
  const Fixture f;
  BOOST_CHECK_THROW(f.model(2, Smoothing::kAddK, 0.0), tapegrad::UsageError);
  BOOST_CHECK_THROW(f.model(0, Smoothing::kMle), tapegrad::UsageError);
  BOOST_CHECK_THROW(parse_smoothing("good-turing"), tapegrad::UsageError);
  BOOST_TEST((parse_smoothing("kn") == Smoothing::kKneserNey));
}

BOOST_AUTO_TEST_SUITE_END()
