// ARPA files: the backoff arithmetic on a hand-written model, the lossless round trip of an estimated
// Kneser-Ney model (identical perplexity), and every malformed file rejected with its line.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include "lm/ngram/arpa.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/ngram/kneser_ney.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm_test_util.hpp"
#include "ops/random.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

namespace {

// A hand-written bigram model.
const std::string kArpa =
    "some tool's banner before the data\n"
    "\n"
    "\\data\\\n"
    "ngram 1=5\n"
    "ngram 2=3\n"
    "\n"
    "\\1-grams:\n"
    "-1.0\t<unk>\n"
    "-0.5\t</s>\n"
    "-99\t<s>\t-0.3\n"
    "-0.6\ta\t-0.2\n"
    "-0.7\tb\n"
    "\n"
    "\\2-grams:\n"
    "-0.1\t<s> a\n"
    "-0.4\ta b\n"
    "-0.3\ta </s>\n"
    "\n"
    "\\end\\\n";

// kArpa with one piece replaced (the piece must occur).
std::string with(const std::string& from, const std::string& to, std::string text = kArpa) {
  const std::size_t at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

double log10p(const NgramModel& m, std::vector<std::string> history, const std::string& w) {
  return std::log10(m.prob(history, w));
}

// A corpus with enough structure for every order's discounts (each order gets n-grams seen once, twice, three and
// four times): 2000 words of Zipfian frequency (P(rank r) ∝ 1/r); in sentences of 3–12 words, each next word is
// either a fresh Zipf draw or a near-deterministic successor of the previous one (7w + 0…2, mod 2000).
TokenCorpus synthetic(std::uint64_t seed, int sentences) {
  tapegrad::Rng rng(seed);
  constexpr std::uint64_t K = 2000;
  std::vector<double> cumulative;
  double total = 0;
  for (std::uint64_t r = 1; r <= K; ++r) cumulative.push_back(total += 1.0 / static_cast<double>(r));
  auto zipf = [&] {
    const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), rng.uniform_double() * total);
    return static_cast<std::uint64_t>(std::min<std::ptrdiff_t>(it - cumulative.begin(), K - 1));
  };
  std::vector<std::vector<std::string>> text;
  for (int s = 0; s < sentences; ++s) {
    std::vector<std::string> words;
    std::uint64_t w = zipf();
    const std::uint64_t length = 3 + rng.uniform_int(10);
    for (std::uint64_t i = 0; i < length; ++i) {
      words.push_back("w" + std::to_string(w));
      w = rng.uniform_int(2) == 0 ? zipf() : (7 * w + rng.uniform_int(3)) % K;
    }
    text.push_back(words);
  }
  return TokenCorpus::from_sentences(text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(arpa)

// Backoff semantics by hand: P(w | h) = P*(h w) if listed, else β(h)·P(w | shorter h).
//   P(a|<s>) = 10^−0.1                   P(b|<s>) = 10^(−0.3 − 0.7) (β(<s>) · P(b))
//   P(b|a)   = 10^−0.4                   P(a|a)   = 10^(−0.2 − 0.6)
//   P(a|b)   = 10^−0.6 (b has no backoff, β = 1)     P(zzz|a) = P(<unk>|a) = 10^(−0.2 − 1.0)
//   sentence "a b": −0.1 − 0.4 + log10 P(</s>|b) = −0.1 − 0.4 − 0.5 = −1.0
BOOST_AUTO_TEST_CASE(hand_written_model_scores_by_backoff, *boost::unit_test::tolerance(1e-6)) {
  const BackoffModel m = parse_arpa(kArpa, "hand.arpa");
  BOOST_TEST(m.order() == 2);
  BOOST_TEST(m.vocab().size() == 4u);  // <unk> </s> a b
  BOOST_TEST(log10p(m, {"<s>"}, "a") == -0.1);
  BOOST_TEST(log10p(m, {"<s>"}, "b") == -1.0);
  BOOST_TEST(log10p(m, {"a"}, "b") == -0.4);
  BOOST_TEST(log10p(m, {"a"}, "a") == -0.8);
  BOOST_TEST(log10p(m, {"b"}, "a") == -0.6);
  BOOST_TEST(log10p(m, {"a"}, "zzz") == -1.2);
  const std::vector<WordId> ab = {m.vocab().id("a"), m.vocab().id("b")};
  BOOST_TEST(score_sentence(m, ab).log10_prob == -1.0);
}

BOOST_AUTO_TEST_CASE(model_without_unk_gives_oov_probability_zero) {
  const BackoffModel m = parse_arpa(with("ngram 1=5", "ngram 1=4", with("-1.0\t<unk>\n", "")), "closed.arpa");
  const IdCorpus test = m.vocab().encode(TokenCorpus::parse_words("a zzz\n", "t.txt"));
  const EvalResult r = evaluate(m, test);
  BOOST_TEST(r.zero_prob == 1u);
  BOOST_TEST(r.oov == 1u);
  BOOST_TEST(std::isinf(r.perplexity));
  std::ostringstream out;  // <unk> (probability 0) is left out when written back
  write_arpa(m, out);
  BOOST_TEST(out.str().find("<unk>") == std::string::npos);
  BOOST_TEST(out.str().find("ngram 1=4") != std::string::npos);
}

// Estimated Kneser-Ney -> ARPA text -> model: every stored number and every perplexity identical (the floats are
// written in their shortest round-trip form), at orders 1 to 4.
BOOST_AUTO_TEST_CASE(kneser_ney_round_trip_is_exact) {
  const TokenCorpus train = synthetic(1, 3000), test = synthetic(2, 300);
  const Vocab vocab = Vocab::build(train, 1);
  const IdCorpus train_ids = vocab.encode(train), test_ids = vocab.encode(test);
  TempDir dir;
  for (int order = 1; order <= 4; ++order) {
    std::vector<KnOrderStats> stats;
    const BackoffModel m = estimate_kneser_ney(vocab, NgramCounts::build(train_ids, vocab.size(), order), {}, &stats);
    for (const KnOrderStats& s : stats) BOOST_TEST(!s.fell_back);  // the discounts were estimated
    const std::string path = dir.path("m" + std::to_string(order) + ".arpa");
    save_arpa(m, path);
    const BackoffModel back = load_arpa(path);
    BOOST_TEST_REQUIRE(back.order() == order);
    BOOST_TEST_REQUIRE(back.vocab().size() == vocab.size());
    for (WordId w = 0; w < vocab.size(); ++w) BOOST_TEST(back.vocab().token(w) == vocab.token(w));
    for (int n = 1; n <= order; ++n) {
      BOOST_TEST_REQUIRE(back.trie().size(n) == m.trie().size(n));
      bool same = true;
      for (std::uint32_t e = 0; e < m.trie().size(n); ++e)
        same = same && back.trie().word(n, e) == m.trie().word(n, e) && back.log10_prob(n, e) == m.log10_prob(n, e) &&
               back.log10_backoff(n, e) == m.log10_backoff(n, e);
      BOOST_TEST(same, "level " << n << " differs after the round trip");
    }
    const EvalResult a = evaluate(m, test_ids), b = evaluate(back, test_ids);
    BOOST_TEST(a.perplexity == b.perplexity);  // exactly
    BOOST_TEST(a.perplexity > 1.0);
  }
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_line) {
  // Wrong counts: fewer entries than declared, more than declared.
  check_throws<FormatError>([] { parse_arpa(with("ngram 2=3", "ngram 2=4"), "f.arpa"); },
                            {"f.arpa:19:", "3 entries", "declares 4"});
  check_throws<FormatError>([] { parse_arpa(with("ngram 1=5", "ngram 1=4"), "f.arpa"); },
                            {"f.arpa:12:", "more 1-grams than the 4 declared"});
  // Bad numbers.
  check_throws<FormatError>([] { parse_arpa(with("-0.4\ta b", "-0.4x\ta b"), "f.arpa"); },
                            {"f.arpa:16:", "bad log10 probability '-0.4x'"});
  check_throws<FormatError>([] { parse_arpa(with("-0.6\ta\t-0.2", "-0.6\ta\tnan"), "f.arpa"); },
                            {"f.arpa:11:", "bad log10 backoff"});
  check_throws<FormatError>([] { parse_arpa(with("-0.6\ta", "0.6\ta"), "f.arpa"); }, {"f.arpa:11:", "above 0"});
  check_throws<FormatError>([] { parse_arpa(with("ngram 2=3", "ngram 2=three"), "f.arpa"); },
                            {"f.arpa:5:", "bad n-gram count"});
  check_throws<FormatError>([] { parse_arpa(with("ngram 1=5\nngram 2=3", "ngram 2=3\nngram 1=5"), "f.arpa"); },
                            {"f.arpa:4:", "in order"});
  // Truncated: inside a section, before \end\, before a declared section.
  check_throws<FormatError>([] { parse_arpa(kArpa.substr(0, kArpa.find("-0.3\ta </s>")), "f.arpa"); },
                            {"f.arpa:", "truncated", "2 of the 3 2-grams"});
  check_throws<FormatError>([] { parse_arpa(with("\\end\\\n", ""), "f.arpa"); }, {"truncated", "no \\end\\"});
  check_throws<FormatError>([] { parse_arpa(kArpa.substr(0, kArpa.find("\\2-grams:")), "f.arpa"); },
                            {"truncated", "2-grams"});
  check_throws<FormatError>([] { parse_arpa("just text\n", "f.arpa"); }, {"f.arpa:1:", "no \\data\\"});
  // Structure.
  check_throws<FormatError>([] { parse_arpa(with("-0.4\ta b", "-0.4\ta q"), "f.arpa"); },
                            {"f.arpa:16:", "'q' is not among the 1-grams"});
  const std::string trigram =
      with("ngram 2=3", "ngram 2=3\nngram 3=1", with("\\end\\\n", "\\3-grams:\n-0.2\tb a b\n\n\\end\\\n"));
  check_throws<FormatError>([&] { parse_arpa(trigram, "f.arpa"); }, {"f.arpa:21:", "prefix 'b a'", "not listed"});
  check_throws<FormatError>([] { parse_arpa(with("-0.7\tb\n", "-0.7\ta\n"), "f.arpa"); },
                            {"f.arpa:12:", "duplicate 1-gram 'a'", "line 11"});
  check_throws<FormatError>([] { parse_arpa(with("-0.3\ta </s>", "-0.3\ta b"), "f.arpa"); },
                            {"f.arpa:17:", "duplicate 2-gram", "line 16"});
  check_throws<FormatError>([] { parse_arpa(with("-0.4\ta b", "-0.4\ta b\t-0.1"), "f.arpa"); },
                            {"f.arpa:16:", "highest order"});
  check_throws<FormatError>([] { parse_arpa(with("-0.4\ta b", "-0.4\ta"), "f.arpa"); }, {"f.arpa:16:", "2 word(s)"});
  check_throws<FormatError>([] { parse_arpa(with("\\2-grams:", "\\3-grams:"), "f.arpa"); },
                            {"f.arpa:14:", "expected '\\2-grams:'"});
}

BOOST_AUTO_TEST_CASE(unreadable_files) {
  TempDir dir;
  check_throws<IoError>([&] { load_arpa(dir.path("missing.arpa")); }, {"missing.arpa", "cannot open"});
  const std::string empty = dir.write("empty.arpa", "");
  check_throws<FormatError>([&] { load_arpa(empty); }, {empty, "empty"});
  const std::string binary = dir.write("bin.arpa", std::string("\\data\\\n\0\0\1", 10));
  check_throws<FormatError>([&] { load_arpa(binary); }, {binary + ":2:", "binary"});
}

BOOST_AUTO_TEST_CASE(tokens_with_spaces_cannot_be_written) {
  const TokenCorpus chars = TokenCorpus::parse_chars("ab a\nba b\nab\n", "mem");
  const Vocab vocab = Vocab::build(chars, 1);
  KnOptions o;
  o.discount_fallback = true;
  const BackoffModel m = estimate_kneser_ney(vocab, NgramCounts::build(vocab.encode(chars), vocab.size(), 2), o);
  std::ostringstream out;
  check_throws<tapegrad::UsageError>([&] { write_arpa(m, out); }, {"white space", "\\x20"});
}

// save_arpa replaces a file whole, leaves no temporary file behind, and on failure names the path and leaves the
// old file as it was.
BOOST_AUTO_TEST_CASE(saving_replaces_the_file_whole) {
  const TokenCorpus train = synthetic(1, 500);
  const Vocab vocab = Vocab::build(train, 1);
  const BackoffModel m2 = estimate_kneser_ney(vocab, NgramCounts::build(vocab.encode(train), vocab.size(), 2));
  const BackoffModel m3 = estimate_kneser_ney(vocab, NgramCounts::build(vocab.encode(train), vocab.size(), 3));
  TempDir dir;
  const std::string path = dir.path("m.arpa");
  save_arpa(m3, path);
  save_arpa(m2, path);  // over a larger file: nothing of it may remain
  BOOST_TEST(load_arpa(path).order() == 2);
  std::ostringstream expected;
  write_arpa(m2, expected);
  BOOST_TEST(read_text_file(path, {.utf8 = false}) == expected.str());
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path(""))) ++files;
  BOOST_TEST(files == 1);  // no temporary file left
  check_throws<IoError>([&] { save_arpa(m3, dir.path("no-such-folder/m.arpa")); }, {"no-such-folder/m.arpa"});
  BOOST_TEST(load_arpa(path).order() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
