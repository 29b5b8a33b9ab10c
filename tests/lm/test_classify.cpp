// lm/classify/ without the real data: the MR reading rules (Latin-1 → UTF-8, lines on 0x0A only, tokens on the ASCII
// space only), folds and splits on small synthetic corpora, LABEL<TAB>SENTENCE files and their errors, accuracy, the
// confusion matrix, the sample standard deviation, the cross-validation runner, and naive Bayes against
// log-probabilities worked out by hand (with its file round trip and malformed files).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "lm/classify/cross_validation.hpp"
#include "lm/classify/labelled_corpus.hpp"
#include "lm/classify/metrics.hpp"
#include "lm/classify/naive_bayes.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::UsageError;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;
using Tokens = std::vector<std::string>;

namespace {

// `n` lines "<word> <i>" (i = 1 … n), each ending in '\n'.
std::string numbered_lines(const std::string& word, int n) {
  std::string s;
  for (int i = 1; i <= n; ++i) s += word + " " + std::to_string(i) + "\n";
  return s;
}

// A corpus built in memory: sentence i (0-based) gets line i + 1 and its fold.
LabelledCorpus corpus_of(const std::vector<std::pair<int, std::string>>& rows) {
  LabelledCorpus c;
  c.source = "<toy>";
  c.label_names = {"negative", "positive"};
  std::size_t line = 0;
  for (const auto& [label, text] : rows) {
    ++line;
    c.sentences.push_back({split_on_space(text), label, line, fold_of_line(line)});
  }
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(classify_text)

BOOST_AUTO_TEST_CASE(latin1_bytes_become_their_two_byte_utf8_forms) {
  // 0x85 → U+0085 = C2 85; 0xE9 (é) → C3 A9; 0x80 → C2 80; 0x9F → C2 9F; 0xA0 → C2 A0; 0xFF (ÿ) → C3 BF.
  BOOST_TEST(latin1_to_utf8("a\x85"
                            "b") ==
             "a\xC2\x85"
             "b");
  BOOST_TEST(latin1_to_utf8("caf\xE9") == "caf\xC3\xA9");
  BOOST_TEST(latin1_to_utf8("\x80\x9F\xA0\xFF") == "\xC2\x80\xC2\x9F\xC2\xA0\xC3\xBF");
  BOOST_TEST(latin1_to_utf8("plain ascii\t~") == "plain ascii\t~");
  std::string every_byte;
  for (int b = 1; b < 256; ++b) every_byte += static_cast<char>(b);
  const std::string utf8 = latin1_to_utf8(every_byte);
  BOOST_TEST(utf8.size() == 127u + 2u * 128u);
  BOOST_TEST(find_invalid_utf8(utf8) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tokens_are_split_on_the_ascii_space_only) {
  BOOST_TEST(split_on_space("a b") == (Tokens{"a", "b"}));
  BOOST_TEST(split_on_space("  a   b  ") == (Tokens{"a", "b"}));  // empty pieces dropped
  BOOST_TEST(split_on_space("a\tb c") == (Tokens{"a\tb", "c"}));  // a tab is not a separator
  BOOST_TEST(split_on_space("a\xC2\xA0"
                            "b") == (Tokens{"a\xC2\xA0"
                                            "b"}));  // nor a no-break space (U+00A0)
  BOOST_TEST(split_on_space("a\xC2\x85"
                            "b\rc") == (Tokens{"a\xC2\x85"
                                               "b\rc"}));  // nor NEL or CR
  BOOST_TEST(split_on_space("").empty());
  BOOST_TEST(split_on_space("   ").empty());
}

BOOST_AUTO_TEST_CASE(mr_lines_end_at_0x0a_only_and_0x85_stays_inside) {
  // .neg: 2 lines, the first holding 0x85 (NEL) and 0x9F; .pos: 1 line holding 0x85 between two words and a CR.
  const LabelledCorpus c = parse_mr("bad \x85 film\x9F\nworse\n", "good\x85great film\r\n", "toy.neg", "toy.pos");
  BOOST_TEST(c.label_names == (Tokens{"negative", "positive"}));
  BOOST_REQUIRE(c.size() == 3u);
  BOOST_TEST(c.sentences[0].tokens == (Tokens{"bad", "\xC2\x85", "film\xC2\x9F"}));
  BOOST_TEST(c.sentences[0].label == 0);
  BOOST_TEST(c.sentences[0].line == 1u);
  BOOST_TEST(c.sentences[1].tokens == (Tokens{"worse"}));
  BOOST_TEST(c.sentences[1].line == 2u);
  BOOST_TEST(c.sentences[2].tokens == (Tokens{"good\xC2\x85great", "film\r"}));
  BOOST_TEST(c.sentences[2].label == 1);
  BOOST_TEST(c.sentences[2].line == 1u);
  BOOST_TEST(c.num_tokens() == 6u);
  BOOST_TEST(c.label_counts() == (std::vector<std::size_t>{2, 1}));
  // A last line without 0x0A counts.
  BOOST_TEST(parse_mr("a\nb", "c", "n", "p").size() == 3u);
}

BOOST_AUTO_TEST_CASE(read_mr_reads_the_two_files_of_a_folder) {
  TempDir dir;
  dir.write("rt-polarity.neg", "dull \xE9t\xE9\nbad\n");
  dir.write("rt-polarity.pos", "fun\n");
  const LabelledCorpus c = read_mr(dir.path(""));
  BOOST_TEST(c.size() == 3u);
  BOOST_TEST(c.sentences[0].tokens == (Tokens{"dull", "\xC3\xA9t\xC3\xA9"}));
  BOOST_TEST(c.sentences[2].label == 1);
  BOOST_TEST(is_mr_folder(dir.path("")));
}

BOOST_AUTO_TEST_CASE(mr_errors_name_the_file_and_line) {
  TempDir dir;
  dir.write("rt-polarity.neg", "bad\n");
  check_throws<IoError>([&] { read_mr(dir.path("")); }, {"rt-polarity.pos", "cannot open"});
  BOOST_TEST(!is_mr_folder(dir.path("")));
  check_throws<IoError>([&] { read_mr(dir.path("nothing")); }, {"nothing", "no such folder"});
  check_throws<FormatError>([] { parse_mr("a\n \nb\n", "c\n", "x.neg", "x.pos"); }, {"x.neg:2:", "without tokens"});
  check_throws<FormatError>([] { parse_mr("a\n", "", "x.neg", "x.pos"); }, {"x.pos", "empty"});
  check_throws<FormatError>([] { parse_mr("a\n", std::string("b\nc\0d\n", 6), "x.neg", "x.pos"); },
                            {"x.pos:2:", "NUL"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(classify_folds)

BOOST_AUTO_TEST_CASE(folds_follow_the_line_index_mod_10) {
  // .neg has 12 lines, .pos 11: line L is in fold (L − 1) mod 10, so fold 0 = lines 1 and 11 of both files (4),
  // fold 1 = .neg lines 2 and 12 plus .pos line 2 (3), folds 2–9 one line of each file (2 each).
  const LabelledCorpus c = parse_mr(numbered_lines("bad", 12), numbered_lines("good", 11), "n", "p");
  BOOST_REQUIRE(c.size() == 23u);
  std::vector<int> per_fold(10, 0);
  for (const LabelledSentence& s : c.sentences) {
    BOOST_TEST(s.fold == static_cast<int>((s.line - 1) % 10));
    ++per_fold[static_cast<std::size_t>(s.fold)];
  }
  BOOST_TEST(per_fold == (std::vector<int>{4, 3, 2, 2, 2, 2, 2, 2, 2, 2}));

  const CvSplit f0 = cv_fold(c, 0);
  BOOST_REQUIRE(f0.test.size() == 4u);
  BOOST_TEST(f0.train.size() == 19u);
  // In the corpus's order: .neg lines 1 and 11, then .pos lines 1 and 11.
  BOOST_TEST(f0.test.sentences[0].tokens == (Tokens{"bad", "1"}));
  BOOST_TEST(f0.test.sentences[1].tokens == (Tokens{"bad", "11"}));
  BOOST_TEST(f0.test.sentences[2].tokens == (Tokens{"good", "1"}));
  BOOST_TEST(f0.test.sentences[3].tokens == (Tokens{"good", "11"}));
  BOOST_TEST(f0.test.label_names == c.label_names);

  // Every sentence is tested exactly once over the 10 rounds.
  std::size_t tested = 0;
  for (int k = 0; k < 10; ++k) {
    const CvSplit f = cv_fold(c, k);
    BOOST_TEST(f.train.size() + f.test.size() == c.size());
    for (const LabelledSentence& s : f.test.sentences) BOOST_TEST(s.fold == k);
    for (const LabelledSentence& s : f.train.sentences) BOOST_TEST(s.fold != k);
    tested += f.test.size();
  }
  BOOST_TEST(tested == c.size());
}

BOOST_AUTO_TEST_CASE(the_fixed_split_is_test_fold_0_valid_fold_1_train_the_rest) {
  const LabelledCorpus c = parse_mr(numbered_lines("bad", 12), numbered_lines("good", 11), "n", "p");
  const FixedSplit s = fixed_split(c);
  BOOST_TEST(s.test.size() == 4u);
  BOOST_TEST(s.valid.size() == 3u);
  BOOST_TEST(s.train.size() == 16u);
  for (const LabelledSentence& x : s.valid.sentences) BOOST_TEST(x.fold == 1);
  for (const LabelledSentence& x : s.train.sentences) BOOST_TEST(x.fold >= 2);
}

BOOST_AUTO_TEST_CASE(other_fold_counts_come_from_the_line) {
  // 3 folds over lines 1–7: fold 0 = lines 1, 4, 7; fold 1 = 2, 5; fold 2 = 3, 6.
  const LabelledCorpus c = corpus_of({{0, "a"}, {0, "b"}, {0, "c"}, {1, "d"}, {1, "e"}, {1, "f"}, {1, "g"}});
  const CvSplit f = cv_fold(c, 0, 3);
  BOOST_REQUIRE(f.test.size() == 3u);
  BOOST_TEST(f.test.sentences[0].tokens == Tokens{"a"});
  BOOST_TEST(f.test.sentences[1].tokens == Tokens{"d"});
  BOOST_TEST(f.test.sentences[2].tokens == Tokens{"g"});
  BOOST_TEST(cv_fold(c, 2, 3).test.size() == 2u);
  check_throws<UsageError>([&] { cv_fold(c, 3, 3); }, {"fold 3", "0..2"});
  check_throws<UsageError>([&] { cv_fold(c, 0, 1); }, {"at least 2 folds"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(classify_files)

BOOST_AUTO_TEST_CASE(labelled_lines_are_label_tab_sentence) {
  const LabelledCorpus c = parse_labelled("pos\ta good\tfilm\r\n\nneg\t bad  film\n", "t.tsv");
  BOOST_TEST(c.label_names == (Tokens{"neg", "pos"}));  // distinct labels in byte order
  BOOST_REQUIRE(c.size() == 2u);
  BOOST_TEST(c.sentences[0].label == 1);
  BOOST_TEST(c.sentences[0].tokens == (Tokens{"a", "good\tfilm"}));  // only the first tab separates the label
  BOOST_TEST(c.sentences[1].label == 0);
  BOOST_TEST(c.sentences[1].line == 3u);  // the blank line 2 is skipped but counted
  BOOST_TEST(c.sentences[1].fold == 2);
  BOOST_TEST(c.sentences[1].tokens == (Tokens{"bad", "film"}));
  // With the labels of a model: ids follow them.
  const LabelledCorpus m = parse_labelled("pos\tx\n", "m.tsv", {"neg", "pos", "mixed"});
  BOOST_TEST(m.label_names == (Tokens{"neg", "pos", "mixed"}));
  BOOST_TEST(m.sentences[0].label == 1);
}

BOOST_AUTO_TEST_CASE(malformed_labelled_lines_are_named) {
  check_throws<FormatError>([] { parse_labelled("pos\ta\nneg b\n", "t.tsv"); }, {"t.tsv:2:", "no tab"});
  check_throws<FormatError>([] { parse_labelled("\ta b\n", "t.tsv"); }, {"t.tsv:1:", "empty label"});
  check_throws<FormatError>([] { parse_labelled("pos\t  \n", "t.tsv"); }, {"t.tsv:1:", "no tokens"});
  check_throws<FormatError>(
      [] {
        parse_labelled("pos\ta\nneutral\tb\n", "t.tsv", {"neg", "pos"});
      },
      {"t.tsv:2:", "unknown label 'neutral'", "neg, pos"});
  check_throws<FormatError>([] { parse_labelled("\n\n", "t.tsv"); }, {"t.tsv", "no labelled sentence"});
  check_throws<FormatError>([] { parse_labelled("pos\tcaf\xE9\n", "t.tsv"); }, {"t.tsv:1:", "invalid UTF-8"});
  check_throws<IoError>([] { read_labelled("/nonexistent/t.tsv"); }, {"/nonexistent/t.tsv", "cannot open"});
}

BOOST_AUTO_TEST_CASE(plain_sentences_keep_one_entry_per_line) {
  const auto s = parse_sentences("a b\n\nc\td e\n", "in.txt");
  BOOST_REQUIRE(s.size() == 3u);
  BOOST_TEST(s[0] == (Tokens{"a", "b"}));
  BOOST_TEST(s[1].empty());
  BOOST_TEST(s[2] == (Tokens{"c\td", "e"}));
  check_throws<FormatError>([] { parse_sentences("ok\n\xFF\n", "in.txt"); }, {"in.txt:2:", "invalid UTF-8"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(classify_metrics)

BOOST_AUTO_TEST_CASE(accuracy_and_confusion_matrix) {
  const std::vector<int> gold{0, 0, 1, 1, 1}, predicted{0, 1, 1, 1, 0};
  BOOST_TEST(accuracy(gold, predicted) == 0.6);  // 3 of 5
  ConfusionMatrix m(2);
  for (std::size_t i = 0; i < gold.size(); ++i) m.add(gold[i], predicted[i]);
  BOOST_TEST(m.count(0, 0) == 1u);
  BOOST_TEST(m.count(0, 1) == 1u);
  BOOST_TEST(m.count(1, 0) == 1u);
  BOOST_TEST(m.count(1, 1) == 2u);
  BOOST_TEST(m.total() == 5u);
  BOOST_TEST(m.correct() == 3u);
  BOOST_TEST(m.accuracy() == 0.6);
  const std::string table = m.to_string({"neg", "pos"});
  BOOST_TEST(table.find("neg") != std::string::npos);
  BOOST_TEST(table.find("     2\n") != std::string::npos);  // the (pos, pos) cell ends the last row
  check_throws<UsageError>([&] { m.add(2, 0); }, {"label 2"});
  check_throws<UsageError>([] { accuracy(std::vector<int>{1}, std::vector<int>{1, 0}); }, {"1 gold", "2 predictions"});
}

BOOST_AUTO_TEST_CASE(sample_standard_deviation_divides_by_n_minus_1) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7
  // (the population variance would be 32/8 = 4).
  const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
  const MeanStd r = mean_and_sample_std(v);
  BOOST_TEST(r.mean == 5.0);
  BOOST_TEST(r.std == std::sqrt(32.0 / 7.0), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(mean_and_sample_std(std::vector<double>{0.7}).std == 0.0);
  check_throws<UsageError>([] { mean_and_sample_std(std::vector<double>{}); }, {"no values"});
}

BOOST_AUTO_TEST_CASE(cross_validation_runs_every_fold_once) {
  const LabelledCorpus c = parse_mr(numbered_lines("bad", 12), numbered_lines("good", 11), "n", "p");
  std::vector<int> seen, reported;
  // The lambda returns a bare accuracy, k / 10: mean 0.45; Σ (k − 4.5)² = 82.5, so the sample std is
  // sqrt(82.5 / 9) / 10.
  const CvResult r = cross_validate(
      c, 10,
      [&](const LabelledCorpus& train, const LabelledCorpus& test, int fold) {
        seen.push_back(fold);
        BOOST_TEST(train.size() + test.size() == 23u);
        for (const LabelledSentence& s : test.sentences) BOOST_TEST(s.fold == fold);
        return fold / 10.0;
      },
      [&](const FoldResult& f) { reported.push_back(f.fold); });
  BOOST_TEST(seen == (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  BOOST_TEST(reported == seen);
  BOOST_REQUIRE(r.folds.size() == 10u);
  BOOST_TEST(r.folds[0].test_size == 4u);
  BOOST_TEST(r.folds[0].train_size == 19u);
  BOOST_TEST(r.folds[1].test_size == 3u);
  BOOST_TEST(r.folds[3].accuracy == 0.3);
  BOOST_TEST(r.mean == 0.45, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.std == std::sqrt(82.5 / 9.0) / 10.0, boost::test_tools::tolerance(1e-12));
  check_throws<UsageError>([&] { cross_validate(c, 1, [](auto&, auto&, int) { return 1.0; }); }, {"at least 2"});
  // With 30 folds the lines 1–12 fill folds 0–11 only: fold 12 has no test sentence.
  check_throws<UsageError>([&] { cross_validate(c, 30, [](auto&, auto&, int) { return 1.0; }); },
                           {"fold 12 of 30", "empty test"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(classify_naive_bayes)

// neg: "bad film", "bad bad"; pos: "good film". Presence features (max_n 2):
//   neg: {bad, film, "bad film"}, {bad, "bad bad"}     → n_neg: bad 2, film 1, "bad film" 1, "bad bad" 1; T_neg = 5
//   pos: {good, film, "good film"}                     → n_pos: good 1, film 1, "good film" 1;            T_pos = 3
//   V = {bad, film, bad film, bad bad, good, good film}, |V| = 6; π_neg = 2/3, π_pos = 1/3.
// α = 1: θ_neg,f = (n + 1) / 11, θ_pos,f = (n + 1) / 9.
LabelledCorpus toy() { return corpus_of({{0, "bad film"}, {0, "bad bad"}, {1, "good film"}}); }

BOOST_AUTO_TEST_CASE(presence_features_are_distinct_ngrams) {
  BOOST_TEST(presence_features({"bad", "bad", "film"}, 2) == (Tokens{"bad", "film", "bad bad", "bad film"}));
  BOOST_TEST(presence_features({"a", "b", "a", "b"}, 2) == (Tokens{"a", "b", "a b", "b a"}));
  BOOST_TEST(presence_features({"a", "b", "c"}, 1) == (Tokens{"a", "b", "c"}));
  BOOST_TEST(presence_features({"a", "b", "c"}, 3) == (Tokens{"a", "b", "c", "a b", "b c", "a b c"}));
  BOOST_TEST(presence_features({}, 2).empty());
}

BOOST_AUTO_TEST_CASE(counts_and_log_probabilities_by_hand) {
  const NaiveBayes nb = NaiveBayes::train(toy());
  BOOST_TEST(nb.num_features() == 6u);
  BOOST_TEST(nb.class_sentences(0) == 2u);
  BOOST_TEST(nb.feature_count(0, "bad") == 2u);  // "bad bad" counts once: presence
  BOOST_TEST(nb.feature_count(1, "film") == 1u);
  BOOST_TEST(nb.feature_count(1, "bad") == 0u);
  const auto tol = boost::test_tools::tolerance(1e-12);
  BOOST_TEST(nb.log_prior(0) == std::log(2.0 / 3.0), tol);
  BOOST_TEST(nb.log_prior(1) == std::log(1.0 / 3.0), tol);
  BOOST_TEST(*nb.log_likelihood(0, "bad") == std::log(3.0 / 11.0), tol);
  BOOST_TEST(*nb.log_likelihood(0, "good") == std::log(1.0 / 11.0), tol);
  BOOST_TEST(*nb.log_likelihood(1, "good film") == std::log(2.0 / 9.0), tol);
  BOOST_TEST(*nb.log_likelihood(1, "bad bad") == std::log(1.0 / 9.0), tol);
  BOOST_TEST(!nb.log_likelihood(0, "movie").has_value());

  // "good film": s_neg = log(2/3 · 1/11 · 2/11 · 1/11) = log(4/3993), s_pos = log(1/3 · (2/9)³) = log(8/2187).
  const std::vector<double> s = nb.log_joint({"good", "film"});
  BOOST_TEST(s[0] == std::log(4.0 / 3993.0), tol);
  BOOST_TEST(s[1] == std::log(8.0 / 2187.0), tol);
  const std::vector<double> p = nb.probabilities({"good", "film"});
  const double pos = (8.0 / 2187.0) / (8.0 / 2187.0 + 4.0 / 3993.0);
  BOOST_TEST(p[1] == pos, tol);
  BOOST_TEST(p[0] + p[1] == 1.0, tol);
  BOOST_TEST(nb.predict({"good", "film"}) == 1);

  // "good movie": only "good" is in V (movie and "good movie" are ignored):
  // P(pos) = (1/3 · 2/9) / (1/3 · 2/9 + 2/3 · 1/11) = (2/27) / (2/27 + 2/33) = 33/60 = 0.55.
  BOOST_TEST(nb.probabilities({"good", "movie"})[1] == 0.55, tol);
  // Nothing known: the prior.
  BOOST_TEST(nb.probabilities({"unseen"})[0] == 2.0 / 3.0, tol);
  BOOST_TEST(nb.predict({"bad"}) == 0);
}

BOOST_AUTO_TEST_CASE(alpha_and_unigrams_by_hand) {
  // Unigrams only, α = 0.5: V = {bad, film, good}; n_neg: bad 2, film 1 (T 3); n_pos: good 1, film 1 (T 2).
  // θ_neg,bad = 2.5 / (3 + 1.5) = 5/9; θ_pos,bad = 0.5 / (2 + 1.5) = 1/7; θ_pos,film = 1.5 / 3.5 = 3/7.
  const NaiveBayes nb = NaiveBayes::train(toy(), {.alpha = 0.5, .max_n = 1});
  const auto tol = boost::test_tools::tolerance(1e-12);
  BOOST_TEST(nb.num_features() == 3u);
  BOOST_TEST(*nb.log_likelihood(0, "bad") == std::log(5.0 / 9.0), tol);
  BOOST_TEST(*nb.log_likelihood(1, "bad") == std::log(1.0 / 7.0), tol);
  BOOST_TEST(*nb.log_likelihood(1, "film") == std::log(3.0 / 7.0), tol);
  BOOST_TEST(!nb.log_likelihood(0, "bad film").has_value());
}

BOOST_AUTO_TEST_CASE(a_tie_goes_to_the_first_label) {
  // Equal priors and an unknown sentence: equal scores, label 0.
  const NaiveBayes nb = NaiveBayes::train(corpus_of({{0, "a"}, {1, "b"}}));
  BOOST_TEST(nb.predict({"c"}) == 0);
  BOOST_TEST(nb.probabilities({"c"})[1] == 0.5);
}

BOOST_AUTO_TEST_CASE(bad_training_input) {
  check_throws<UsageError>([] { NaiveBayes::train(toy(), {.alpha = 0}); }, {"alpha", "positive"});
  check_throws<UsageError>([] { NaiveBayes::train(toy(), {.alpha = 1, .max_n = 0}); }, {"max_n 0"});
  check_throws<UsageError>([] { NaiveBayes::train(corpus_of({{0, "a"}, {0, "b"}})); }, {"label 'positive'"});
  check_throws<UsageError>([] { NaiveBayes::train(corpus_of({})); }, {"no sentences"});
}

BOOST_AUTO_TEST_CASE(save_and_load_give_the_same_model) {
  TempDir dir;
  const NaiveBayes nb = NaiveBayes::train(toy(), {.alpha = 0.25, .max_n = 2});
  nb.save(dir.path("nb.json"));
  BOOST_TEST(NaiveBayes::is_saved_model(dir.path("nb.json")));
  const NaiveBayes back = NaiveBayes::load(dir.path("nb.json"));
  BOOST_TEST(back.labels() == nb.labels());
  BOOST_TEST(back.options().alpha == 0.25);
  BOOST_TEST(back.options().max_n == 2);
  BOOST_TEST(back.num_features() == nb.num_features());
  for (const Tokens& s : {Tokens{"good", "film"}, Tokens{"bad", "bad", "movie"}, Tokens{}})
    BOOST_TEST(back.log_joint(s) == nb.log_joint(s));  // bit-identical: the same counts, the same order
  BOOST_TEST(back.to_json() == nb.to_json());
}

BOOST_AUTO_TEST_CASE(malformed_model_files_are_named) {
  TempDir dir;
  const std::string good = NaiveBayes::train(toy()).to_json();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const std::size_t at = s.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  check_throws<FormatError>([&] { NaiveBayes::from_json("{not json", "m.json"); }, {"m.json", "malformed"});
  check_throws<FormatError>([&] { NaiveBayes::from_json("{\"format\":\"other\"}", "m.json"); },
                            {"m.json", "not a naive Bayes model"});
  check_throws<FormatError>([&] { NaiveBayes::from_json(with("\"version\":1", "\"version\":7"), "m.json"); },
                            {"m.json", "version 7"});
  check_throws<FormatError>([&] { NaiveBayes::from_json(with("\"alpha\":1.0", "\"alpha\":-1.0"), "m.json"); },
                            {"m.json", "alpha"});
  check_throws<FormatError>(
      [&] { NaiveBayes::from_json(with("\"class_sentences\":[2,1]", "\"class_sentences\":[2]"), "m.json"); },
      {"m.json", "2 labels but 1 class_sentences"});
  check_throws<FormatError>([&] { NaiveBayes::from_json(with("\"film\",", "\"bad\","), "m.json"); },
                            {"m.json", "'bad' is listed twice"});
  check_throws<FormatError>([&] { NaiveBayes::from_json(with("[[2,", "[[9,"), "m.json"); },
                            {"m.json", "more sentences"});
  check_throws<FormatError>([&] { NaiveBayes::from_json(with("\"labels\"", "\"labelz\""), "m.json"); },
                            {"m.json", "malformed"});
  const std::string other = dir.write("other.json", "{\"a\": 1}\n");
  BOOST_TEST(!NaiveBayes::is_saved_model(other));
  BOOST_TEST(!NaiveBayes::is_saved_model(dir.path("missing.json")));
  check_throws<IoError>([&] { NaiveBayes::load(dir.path("missing.json")); }, {"missing.json"});
}

BOOST_AUTO_TEST_CASE(evaluate_counts_right_and_wrong) {
  const NaiveBayes nb = NaiveBayes::train(toy());
  // "good film" → pos (right), "bad" → neg (right), "film" labelled pos: s_neg = log(2/3 · 2/11), s_pos =
  // log(1/3 · 2/9): 4/33 > 2/27, so neg (wrong).
  const ConfusionMatrix m = evaluate(nb, corpus_of({{1, "good film"}, {0, "bad"}, {1, "film"}}));
  BOOST_TEST(m.correct() == 2u);
  BOOST_TEST(m.count(1, 0) == 1u);
  LabelledCorpus other = toy();
  other.label_names = {"a", "b"};
  check_throws<UsageError>([&] { evaluate(nb, other); }, {"labels (a, b)", "negative, positive"});
}

BOOST_AUTO_TEST_SUITE_END()
