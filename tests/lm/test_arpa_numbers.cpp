// ARPA numbers and orders (issue 13): a number is checked after its conversion to float, so 1e39 or −1e39 (±∞ as a
// float) is an error naming the file and line (D5), and an accepted file can always be written back and read again
// (D9: `</s>` at −1e39 was accepted, then written without `</s>`, and the output failed to load). Reading and
// writing are exact inverses: random small models with extreme values, read → write → read, give the same model.
// The n-gram order is bounded (16) before anything is counted.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lm/ngram/arpa.hpp"
#include "lm/ngram/counts.hpp"
#include "lm/ngram/train.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;

namespace {

// A bigram model; line 9 is </s>, line 10 is "a" with its backoff, line 13 a bigram.
std::string bigram_model(const std::string& eos_prob, const std::string& a_backoff) {
  return "\\data\\\n"        // 1
         "ngram 1=5\n"       // 2
         "ngram 2=2\n"       // 3
         "\n"                // 4
         "\\1-grams:\n"      // 5
         "-1.0\t<unk>\n"     // 6
         "-99\t<s>\t-0.3\n"  // 7
         "-0.7\tb\n"         // 8
         + eos_prob +
         "\t</s>\n"  // 9
         "-0.6\ta\t" +
         a_backoff +
         "\n"             // 10
         "\n"             // 11
         "\\2-grams:\n"   // 12
         "-0.1\t<s> a\n"  // 13
         "-0.4\ta b\n"    // 14
         "\n"
         "\\end\\\n";
}

std::string written(const BackoffModel& model) {
  std::ostringstream out;
  write_arpa(model, out);
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(arpa_numbers)

BOOST_AUTO_TEST_CASE(a_backoff_beyond_the_float_range_is_an_error_naming_file_and_line) {
  // D5: 1e39 was finite as a double, then +∞ as a float: "log10 P = inf, perplexity 0.00".
  BOOST_CHECK_NO_THROW(parse_arpa(bigram_model("-0.5", "-0.2"), "m.arpa"));
  check_throws<FormatError>([] { parse_arpa(bigram_model("-0.5", "1e39"), "m.arpa"); }, {"m.arpa:10:", "1e39"});
  check_throws<FormatError>([] { parse_arpa(bigram_model("-0.5", "-1e39"), "m.arpa"); }, {"m.arpa:10:", "-1e39"});
  check_throws<FormatError>([] { parse_arpa(bigram_model("-0.5", "inf"), "m.arpa"); }, {"m.arpa:10:"});
}

BOOST_AUTO_TEST_CASE(a_probability_beyond_the_float_range_is_an_error_naming_file_and_line) {
  // D9: </s> at −1e39 loaded as −∞, and the writer dropped it.
  check_throws<FormatError>([] { parse_arpa(bigram_model("-1e39", "-0.2"), "m.arpa"); }, {"m.arpa:9:", "-1e39"});
  check_throws<FormatError>([] { parse_arpa(bigram_model("-inf", "-0.2"), "m.arpa"); }, {"m.arpa:9:", "-inf"});
}

BOOST_AUTO_TEST_CASE(the_float_extremes_are_accepted_and_written_back) {
  // The largest float magnitude and a subnormal are finite floats: read, written, read again unchanged.
  const BackoffModel m = parse_arpa(bigram_model("-3.4028235e38", "1e-40"), "m.arpa");
  const BackoffModel again = parse_arpa(written(m), "again.arpa");
  const WordId eos = Vocab::kEos;
  BOOST_TEST(m.log10_prob(1, eos) == -std::strtof("3.4028235e38", nullptr));
  BOOST_TEST(again.log10_prob(1, eos) == m.log10_prob(1, eos));
  const WordId a = *m.vocab().find("a");
  BOOST_TEST(m.log10_backoff(1, a) == std::strtof("1e-40", nullptr));
  BOOST_TEST(again.log10_backoff(1, a) == m.log10_backoff(1, a));
  BOOST_TEST(written(again) == written(m));
}

BOOST_AUTO_TEST_CASE(a_model_with_an_infinite_number_is_not_written) {
  // The writer refuses what the reader would refuse, instead of dropping the entry (D9).
  Vocab vocab = Vocab::from_tokens({"<unk>", "</s>", "a"});
  const auto bos = static_cast<std::uint32_t>(vocab.size());
  std::vector<std::vector<float>> prob{{-1.0f, -HUGE_VALF, -0.5f, -99.0f}};
  const BackoffModel m(std::move(vocab), NgramTrie(bos + 1), prob, {}, "hand-made");
  std::ostringstream out;
  check_throws<tapegrad::UsageError>([&] { write_arpa(m, out); }, {"</s>", "inf"});
}

BOOST_AUTO_TEST_CASE(random_models_read_write_read_give_the_same_model) {
  // Numbers written many ways, extremes included: the largest float, subnormals, zeros of both signs, −99.
  const std::vector<std::string> probs = {"-3.4028235e38", "-1e-45",     "-0",     "0",      "-0.0000",    "-99",
                                          "-1.5",          "-2.3456789", "-1e-50", "-1E-40", "-12345.678", "+0"};
  const std::vector<std::string> backoffs = {"3.4028235e38", "-3.4028235e38", "1e-45",  "-0", "0.25",
                                             "-0.3010",      "+2.5e10",       "-1e-50", "7"};
  std::mt19937 rng(13);
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  const auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  for (int trial = 0; trial < 200; ++trial) {
    const int order = 1 + trial % 4;
    std::vector<std::string> words{"</s>"};
    const int k = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < k; ++i) words.push_back("w" + std::to_string(i));
    if (chance(0.5)) words.push_back("<unk>");
    std::vector<std::string> unigrams = words;
    if (chance(0.8)) unigrams.push_back("<s>");
    // levels[n-1]: the listed n-grams, as token lists; every prefix is listed one level down.
    std::vector<std::vector<std::vector<std::string>>> levels(static_cast<std::size_t>(order));
    for (const auto& u : unigrams) levels[0].push_back({u});
    for (int n = 2; n <= order; ++n)
      for (const auto& prefix : levels[static_cast<std::size_t>(n - 2)]) {
        if (prefix.back() == "</s>") continue;
        for (const auto& w : words)
          if (chance(0.4)) {
            auto ngram = prefix;
            ngram.push_back(w);
            levels[static_cast<std::size_t>(n - 1)].push_back(ngram);
          }
      }
    std::string text = "\\data\\\n";
    for (int n = 1; n <= order; ++n)
      text +=
          "ngram " + std::to_string(n) + "=" + std::to_string(levels[static_cast<std::size_t>(n - 1)].size()) + "\n";
    std::vector<std::pair<std::string, std::string>> unigram_numbers;  // token, probability text
    for (int n = 1; n <= order; ++n) {
      text += "\n\\" + std::to_string(n) + "-grams:\n";
      for (const auto& ngram : levels[static_cast<std::size_t>(n - 1)]) {
        const std::string p = ngram.back() == "<s>" ? "-99" : pick(probs);
        text += p + "\t";
        for (std::size_t i = 0; i < ngram.size(); ++i) text += (i ? " " : "") + ngram[i];
        if (n < order && chance(0.7)) text += "\t" + pick(backoffs);
        text += "\n";
        if (n == 1) unigram_numbers.emplace_back(ngram[0], p);
      }
    }
    text += "\n\\end\\\n";

    const BackoffModel first = parse_arpa(text, "random.arpa");
    for (const auto& [token, p] : unigram_numbers) {  // read exactly: the float nearest the text
      if (token == "<s>") continue;
      BOOST_TEST(first.log10_prob(1, *first.vocab().find(token)) == std::strtof(p.c_str(), nullptr), token << " " << p);
    }
    const std::string once = written(first);
    const BackoffModel second = parse_arpa(once, "written.arpa");
    BOOST_TEST_REQUIRE(second.order() == first.order());
    BOOST_TEST_REQUIRE(second.vocab().size() == first.vocab().size());
    for (int n = 1; n <= order; ++n) {
      BOOST_TEST_REQUIRE(second.trie().size(n) == first.trie().size(n), "order " << n << "\n" << text);
      for (std::uint32_t e = 0; e < first.trie().size(n); ++e) {
        BOOST_TEST(second.trie().word(n, e) == first.trie().word(n, e));
        BOOST_TEST(std::signbit(second.log10_prob(n, e)) == std::signbit(first.log10_prob(n, e)));
        BOOST_TEST(second.log10_prob(n, e) == first.log10_prob(n, e), "order " << n << " entry " << e << "\n" << text);
        BOOST_TEST(second.log10_backoff(n, e) == first.log10_backoff(n, e), "order " << n << " entry " << e);
      }
    }
    BOOST_TEST(written(second) == once);
  }
}

BOOST_AUTO_TEST_CASE(the_ngram_order_is_bounded_before_counting) {
  // `ngram train --order 100000000` ran 155 s and took 3 GB before bad_alloc; 17 is refused at once now.
  const TokenCorpus text = TokenCorpus::parse_words("a b a b\nb a\n", "tiny.txt");
  const Vocab vocab = Vocab::build(text);
  const IdCorpus ids = vocab.encode(text);
  NgramOptions options;
  options.order = 17;
  options.smoothing = Smoothing::kMle;
  check_throws<tapegrad::UsageError>([&] { train_ngram(ids, vocab, options); }, {"order", "17", "16"});
  check_throws<tapegrad::UsageError>([&] { NgramCounts::build(ids, vocab.size(), 100000000); }, {"100000000", "16"});
  options.order = 16;
  BOOST_CHECK_NO_THROW(train_ngram(ids, vocab, options));
}

BOOST_AUTO_TEST_CASE(an_arpa_file_may_not_declare_more_than_16_orders) {
  std::string text = "\\data\\\n";
  for (int n = 1; n <= 17; ++n) text += "ngram " + std::to_string(n) + "=1\n";
  check_throws<FormatError>([&] { parse_arpa(text, "deep.arpa"); }, {"deep.arpa:18:", "17", "16"});
}

BOOST_AUTO_TEST_SUITE_END()
