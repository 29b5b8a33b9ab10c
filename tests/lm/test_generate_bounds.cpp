// The bounds of the next-token API (lm/neural/generate.hpp): top-k needs k ≥ 1 (k = −1 overflowed a buffer: issue
// 13, D3), a k beyond the vocabulary gives the whole vocabulary, and sampling refuses a zero, NaN or infinite
// temperature and a negative length.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "lm/neural/generate.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

// An untrained LSTM over 7 tokens: enough to rank and sample from.
LanguageModel tiny_model() {
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = 7, cfg.emsize = 4, cfg.nhid = 4;
  Rng init(3);
  return LanguageModel(cfg, init);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(generate_bounds)

BOOST_AUTO_TEST_CASE(top_next_refuses_k_below_one) {
  LanguageModel model = tiny_model();
  NextToken next(model);
  BOOST_CHECK_THROW(top_next(next, {}, -1), UsageError);
  BOOST_CHECK_THROW(top_next(next, {}, 0), UsageError);
  BOOST_CHECK_THROW(top_next(next, {}, std::numeric_limits<index_t>::min()), UsageError);
}

BOOST_AUTO_TEST_CASE(top_next_with_k_beyond_the_vocabulary_gives_every_token_once) {
  LanguageModel model = tiny_model();
  NextToken next(model);
  const auto all = top_next(next, {}, 1000);
  BOOST_TEST_REQUIRE(all.size() == 7u);
  double total = 0;
  for (const auto& [id, p] : all) total += p;
  BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(top_next(next, {}, 1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(sampling_refuses_bad_temperatures_and_lengths) {
  LanguageModel model = tiny_model();
  NextToken next(model);
  for (double t : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    SampleOptions so;
    so.temperature = t;
    BOOST_CHECK_THROW(generate(next, {}, so), UsageError);
  }
  SampleOptions negative_length;
  negative_length.max_tokens = -5;
  BOOST_CHECK_THROW(generate(next, {}, negative_length), UsageError);
  SampleOptions fine;
  fine.max_tokens = 3;
  BOOST_TEST(generate(next, {}, fine).size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
