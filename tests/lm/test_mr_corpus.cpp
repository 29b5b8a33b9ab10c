// The real MR sentence-polarity data against its protocol (docs/data.md, "MR sentence polarity"): every count the
// protocol lists, the folds and the fixed split, and the reference accuracies of multinomial naive Bayes on unigram +
// bigram presence features (10-fold mean 78.8 ± 1.4 %, fixed-split test 79.1 %) to within 0.15 points.
// The data is found through TAPEGRAD_DATA, a folder holding mr/rt-polarity.pos and mr/rt-polarity.neg. Without it
// every case is skipped (reported by Boost.Test as skipped, and by CTest through the "skipped: " line).
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "lm/classify/cross_validation.hpp"
#include "lm/classify/labelled_corpus.hpp"
#include "lm/classify/naive_bayes.hpp"
#include "lm/text/text_file.hpp"

using namespace tapegrad::lm;
namespace tt = boost::test_tools;

namespace {

std::string mr_folder() {
  const char* dir = std::getenv("TAPEGRAD_DATA");
  if (!dir || !*dir) return "";
  const std::string folder = (std::filesystem::path(dir) / "mr").string();
  return is_mr_folder(folder) ? folder : "";
}

// The suite's precondition: false (so Boost.Test skips the cases) when the data is absent, saying why.
tt::assertion_result data_present(boost::unit_test::test_unit_id) {
  tt::assertion_result present(!mr_folder().empty());
  if (!present) {
    const char* env = std::getenv("TAPEGRAD_DATA");
    const char* why = env && *env ? "TAPEGRAD_DATA has no mr/rt-polarity.{pos,neg}" : "TAPEGRAD_DATA is not set";
    present.message() << "the MR data is absent (" << why << ")";
    std::cout << "skipped: the MR data is absent (" << why
              << "; point TAPEGRAD_DATA at a folder holding mr/rt-polarity.pos and mr/rt-polarity.neg)\n";
  }
  return present;
}

const LabelledCorpus& mr() {
  static const LabelledCorpus c = read_mr(mr_folder());
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mr_corpus, *boost::unit_test::precondition(data_present))

BOOST_AUTO_TEST_CASE(sentences_tokens_and_types) {
  const LabelledCorpus& c = mr();
  BOOST_TEST(c.size() == 10662u);
  BOOST_TEST(c.label_names == (std::vector<std::string>{"negative", "positive"}));
  BOOST_TEST(c.label_counts() == (std::vector<std::size_t>{5331, 5331}));
  BOOST_TEST(c.num_tokens() == 224041u);
  std::set<std::string> types;
  std::size_t shortest = 1000, longest = 0;
  for (const LabelledSentence& s : c.sentences) {
    types.insert(s.tokens.begin(), s.tokens.end());
    shortest = std::min(shortest, s.tokens.size());
    longest = std::max(longest, s.tokens.size());
  }
  BOOST_TEST(types.size() == 21420u);
  BOOST_TEST(shortest == 1u);
  BOOST_TEST(longest == 59u);
  // mean 21.0 tokens per sentence (224,041 / 10,662 = 21.01)
  BOOST_TEST(static_cast<double>(c.num_tokens()) / static_cast<double>(c.size()) == 21.0, tt::tolerance(0.05 / 21));
  // Latin-1 decoded: every token is valid UTF-8.
  std::size_t invalid = 0;
  for (const std::string& t : types) invalid += find_invalid_utf8(t) != std::string::npos;
  BOOST_TEST(invalid == 0u);
  // Both files' lines are numbered 1 … 5331 (no line was split at a 0x85 byte nor merged).
  BOOST_TEST(c.sentences.front().line == 1u);
  BOOST_TEST(c.sentences[5330].line == 5331u);
  BOOST_TEST(c.sentences[5331].line == 1u);
  BOOST_TEST(c.sentences.back().line == 5331u);
}

BOOST_AUTO_TEST_CASE(folds_and_the_fixed_split) {
  const LabelledCorpus& c = mr();
  for (int k = 0; k < kMrFolds; ++k) {
    const CvSplit f = cv_fold(c, k);
    const std::size_t per_label = k == 0 ? 534 : 533;
    BOOST_TEST(f.test.label_counts() == (std::vector<std::size_t>{per_label, per_label}), "fold " << k);
    BOOST_TEST(f.train.size() == c.size() - 2 * per_label);
  }
  const FixedSplit s = fixed_split(c);
  BOOST_TEST(s.test.size() == 1068u);
  BOOST_TEST(s.valid.size() == 1066u);
  BOOST_TEST(s.train.size() == 8528u);
}

BOOST_AUTO_TEST_CASE(naive_bayes_reference_accuracies) {
  // The protocol's reference: 10-fold 78.8 ± 1.4, fixed-split test 79.1 (percent).
  const CvResult cv = cross_validate(mr(), kMrFolds, [](const LabelledCorpus& train, const LabelledCorpus& test, int) {
    return FoldResult(evaluate(NaiveBayes::train(train), test));
  });
  BOOST_TEST(100 * cv.mean == 78.8, tt::tolerance(0.15 / 78.8));
  BOOST_TEST(100 * cv.std == 1.4, tt::tolerance(0.15 / 1.4));
  const FixedSplit s = fixed_split(mr());
  BOOST_TEST(100 * evaluate(NaiveBayes::train(s.train), s.test).accuracy() == 79.1, tt::tolerance(0.15 / 79.1));
}

BOOST_AUTO_TEST_SUITE_END()
