// Part-of-speech tagging (lm/tagging/) on small hand-made data: the tag-set rules and the universal map file with its
// errors, the protocol split on a fake Brown corpus, the tag vocabulary, scores and confusions, the most-frequent-tag
// tagger, the transition estimates and the suffix model worked out by hand, Viterbi against brute-force enumeration
// of every tag sequence, and saved taggers. The real corpus is checked in test_brown_tags.cpp.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "lm/tagging/hmm_tagger.hpp"
#include "lm/tagging/metrics.hpp"
#include "lm/tagging/most_frequent_tagger.hpp"
#include "lm/tagging/suffix_model.hpp"
#include "lm/tagging/tag_transitions.hpp"
#include "lm/tagging/tagged_corpus.hpp"
#include "lm/tagging/tagger.hpp"
#include "lm/tagging/tagset.hpp"
#include "lm/tagging/viterbi.hpp"
#include "lm/text/brown.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::UsageError;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

namespace {

// A tagged corpus from lines of "word/tag" items (split at the last '/', as the Brown reader does).
TokenCorpus tagged(const std::vector<std::string>& lines) {
  auto buffer = std::make_shared<std::string>();
  for (const std::string& l : lines) *buffer += l + "\n";
  TokenCorpus c("<test>");
  c.keep_alive(buffer);
  const std::string_view all = *buffer;
  std::size_t pos = 0;
  for (const std::string& l : lines) {
    std::vector<std::string_view> words, tags;
    const std::string_view line = all.substr(pos, l.size());
    pos += l.size() + 1;
    std::size_t i = 0;
    while (i < line.size()) {
      std::size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      const std::string_view item = line.substr(i, j - i);
      const std::size_t slash = item.rfind('/');
      words.push_back(item.substr(0, slash));
      tags.push_back(item.substr(slash + 1));
      i = j + 1;
    }
    c.add_sentence(words, tags, c.num_sentences() + 1);
  }
  return c;
}

std::vector<std::string> strings(std::span<const std::string_view> views) { return {views.begin(), views.end()}; }

std::vector<std::string> names(const Tagger& t, const std::vector<TagId>& ids) {
  std::vector<std::string> out;
  for (TagId id : ids) out.push_back(t.tags().name(id));
  return out;
}

// A transition table with arbitrary values (not normalised: Viterbi does not need it).
class DenseTransitions : public TransitionScores {
 public:
  DenseTransitions(std::size_t tags, std::mt19937& rng) : tags_(tags), v_((tags + 1) * (tags + 1) * (tags + 1)) {
    std::uniform_real_distribution<float> u(-6.0f, 0.0f);
    for (float& x : v_) x = u(rng);
  }
  std::size_t num_tags() const override { return tags_; }
  const float* row(TagId a, TagId b) const override { return v_.data() + (a * (tags_ + 1) + b) * (tags_ + 1); }

 private:
  std::size_t tags_;
  std::vector<float> v_;
};

// The best sequence by trying every one: Σ log P(t_i | t_{i-2}, t_{i-1}) + e_i(t_i) + log P(</s> | t_{n-1}, t_n).
ViterbiResult brute_force(const TransitionScores& tr, const Lattice& l) {
  const TagId B = tr.boundary();
  const std::size_t n = l.size();
  ViterbiResult best;
  best.log_prob = -std::numeric_limits<double>::infinity();
  std::vector<std::size_t> pick(n, 0);
  for (;;) {
    double score = 0;
    TagId a = B, b = B;
    std::vector<TagId> tags;
    for (std::size_t i = 0; i < n; ++i) {
      const TagId c = l.tags(i)[pick[i]];
      score += double(tr.row(a, b)[c]) + double(l.emissions(i)[pick[i]]);
      tags.push_back(c);
      a = b;
      b = c;
    }
    score += tr.row(a, b)[B];
    if (score > best.log_prob) best = {tags, score};
    std::size_t i = 0;  // the next combination (odometer)
    while (i < n && ++pick[i] == l.tags(i).size()) pick[i++] = 0;
    if (i == n) return best;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tagging)

BOOST_AUTO_TEST_CASE(base_tags_drop_one_leading_fw_and_trailing_tl_hl_nc) {
  BOOST_TEST(base_tag("nn") == "nn");
  BOOST_TEST(base_tag("nn-tl") == "nn");
  BOOST_TEST(base_tag("fw-nn-tl") == "nn");
  BOOST_TEST(base_tag("nn-tl-hl") == "nn");      // a run of suffixes
  BOOST_TEST(base_tag("nn-hl-tl-nc") == "nn");   // in any order
  BOOST_TEST(base_tag("fw-fw-nn") == "fw-nn");   // one leading fw- only
  BOOST_TEST(base_tag("nn-fw") == "nn-fw");      // fw- is a prefix rule
  BOOST_TEST(base_tag("np$-tl") == "np$");       // possessive kept
  BOOST_TEST(base_tag("md*-hl") == "md*");       // negation kept
  BOOST_TEST(base_tag("vb+in") == "vb+in");      // compound kept
  BOOST_TEST(base_tag("---hl") == "--");         // the dash tag "--" with -hl
  BOOST_TEST(base_tag("nn-tl-x") == "nn-tl-x");  // -tl not at the end: kept
  BOOST_TEST(base_tag("nil") == "nil");
}

BOOST_AUTO_TEST_CASE(tagset_names_parse_and_bad_ones_list_the_valid_names) {
  BOOST_TEST((parse_tagset("raw") == Tagset::kRaw));
  BOOST_TEST((parse_tagset("base") == Tagset::kBase));
  BOOST_TEST((parse_tagset("univ") == Tagset::kUniv));
  BOOST_TEST(tagset_name(Tagset::kUniv) == "univ");
  check_throws<UsageError>([] { parse_tagset("penn"); }, {"unknown tagset 'penn'", "raw, base, univ"});
}

BOOST_AUTO_TEST_CASE(universal_map_looks_up_the_upper_cased_raw_tag) {
  const UniversalTagMap m = UniversalTagMap::parse("NN\tNOUN\nNN-TL\tNOUN\nFW-IN\tX\n\nVBD\tVERB\n.\t.\n", "m.map");
  BOOST_TEST(m.size() == 5u);
  BOOST_TEST(m.map("nn-tl") == "NOUN");
  BOOST_TEST(m.map("fw-in") == "X");  // fw- tags are X: univ is not a function of the base tag
  BOOST_TEST(m.map(".") == ".");
  check_throws<FormatError>([&] { m.map("vbz"); }, {"m.map", "'vbz'", "'VBZ'"});
  const TagMapping univ(Tagset::kUniv, m);
  BOOST_TEST(univ("vbd") == "VERB");
  const TagMapping base(Tagset::kBase);
  BOOST_TEST(base("fw-in-tl") == "in");
  check_throws<UsageError>([] { (void)TagMapping(Tagset::kUniv); }, {"univ", "map"});
}

BOOST_AUTO_TEST_CASE(bad_map_lines_name_the_file_and_line) {
  check_throws<FormatError>([] { UniversalTagMap::parse("NN\tNOUN\nVB VERB\n", "bad.map"); },
                            {"bad.map:2:", "RAW<TAB>UNIV"});
  check_throws<FormatError>([] { UniversalTagMap::parse("NN\tNOUN\tX\n", "bad.map"); }, {"bad.map:1:", "one tab"});
  check_throws<FormatError>([] { UniversalTagMap::parse("NN\tNOUN\n\tVERB\n", "bad.map"); },
                            {"bad.map:2:", "empty raw tag"});
  check_throws<FormatError>([] { UniversalTagMap::parse("nn\tNOUN\n", "bad.map"); }, {"bad.map:1:", "upper-case"});
  check_throws<FormatError>([] { UniversalTagMap::parse("NN\tNOUNS\n", "bad.map"); },
                            {"bad.map:1:", "'NOUNS' is not a universal tag"});
  check_throws<FormatError>([] { UniversalTagMap::parse("NN\tNOUN\nVB\tVERB\nNN\tX\n", "bad.map"); },
                            {"bad.map:3:", "'NN' is listed twice (first on line 1)"});
  check_throws<FormatError>([] { UniversalTagMap::parse("\n\n", "bad.map"); }, {"bad.map", "no tag"});
  TempDir dir;
  check_throws<IoError>([&] { UniversalTagMap::load(dir.path("absent.map")); }, {"absent.map"});
}

BOOST_AUTO_TEST_CASE(the_map_file_is_found_beside_the_corpus) {
  TempDir dir;
  const std::string tgz = dir.write("corpus.tgz", "x");
  check_throws<IoError>([&] { find_tag_map(tgz); }, {dir.path("en-brown.map"), "--tag-map"});
  const std::string map = dir.write("en-brown.map", "NN\tNOUN\n");
  BOOST_TEST(find_tag_map(tgz) == map);
  std::filesystem::create_directory(dir.path("package"));
  BOOST_TEST(find_tag_map(dir.path("package")) == map);  // a corpus folder: its parent too
  BOOST_TEST(find_tag_map(dir.path("package") + "/") == map);
}

// Positions (one </s> after each sentence), train_end 5, valid_end 9:
//   s1: a0 b1 c2 </s>3 | s2: d4 ‖ e5 f6 </s>7 | s3: g8 ‖ </s>9 | s4: h10 i11 </s>12
// so train = [a b c] [d], valid = [e f] [g], test = [h i]; the cut after g falls on its </s>, which changes nothing.
BOOST_AUTO_TEST_CASE(split_counts_one_eos_per_sentence_and_cuts_sentences_into_units) {
  TempDir dir;
  std::filesystem::create_directory(dir.path("fake"));
  dir.write("fake/ca01", "\ta/at b/nn-tl c/.\n\n\td/fw-nn e/vb f/.\n");
  dir.write("fake/ca02", "g/nn\nh/at i/np$-hl\n");
  const BrownCorpus corpus = BrownCorpus::read(dir.path("fake"));
  BrownOptions o;
  o.train_end = 5;
  o.valid_end = 9;
  const TaggedSplits s = make_tagged_splits(corpus, TagMapping(Tagset::kBase), o);
  BOOST_TEST(s.train.num_sentences() == 2u);
  BOOST_TEST(strings(s.train.sentence(0)) == (std::vector<std::string>{"a", "b", "c"}),
             boost::test_tools::per_element());
  BOOST_TEST(strings(s.train.tags(0)) == (std::vector<std::string>{"at", "nn", "."}), boost::test_tools::per_element());
  BOOST_TEST(strings(s.train.sentence(1)) == (std::vector<std::string>{"d"}), boost::test_tools::per_element());
  BOOST_TEST(strings(s.train.tags(1)) == (std::vector<std::string>{"nn"}), boost::test_tools::per_element());
  BOOST_TEST(s.valid.num_sentences() == 2u);
  BOOST_TEST(strings(s.valid.sentence(0)) == (std::vector<std::string>{"e", "f"}), boost::test_tools::per_element());
  BOOST_TEST(strings(s.valid.sentence(1)) == (std::vector<std::string>{"g"}), boost::test_tools::per_element());
  BOOST_TEST(s.test.num_sentences() == 1u);
  BOOST_TEST(strings(s.test.sentence(0)) == (std::vector<std::string>{"h", "i"}), boost::test_tools::per_element());
  BOOST_TEST(strings(s.test.tags(0)) == (std::vector<std::string>{"at", "np$"}), boost::test_tools::per_element());
  BOOST_TEST(s.corpus_tags == 5u);  // at nn . vb np$

  // The protocol's counts: vb (valid) and np$ (test) are tags unseen in train; no valid or test word is a train word.
  const KnownWords known(s.train);
  BOOST_TEST(known.size() == 4u);
  const TagVocab tags = TagVocab::build(s.train);
  const TaggedSplitCounts v = count_split(s.valid, known, tags);
  BOOST_TEST(v.units == 2u);
  BOOST_TEST(v.words == 3u);
  BOOST_TEST(v.unknown_words == 3u);
  BOOST_TEST(v.unseen_tag_tokens == 1u);  // e/vb
  BOOST_TEST(v.distinct_tags == 3u);      // vb . nn
  const TaggedSplitCounts t = count_split(s.test, known, tags);
  BOOST_TEST(t.unseen_tag_tokens == 1u);  // i/np$
  BOOST_TEST(count_split(s.train, known, tags).unknown_words == 0u);

  // Raw tags are kept as they are.
  const TaggedSplits raw = make_tagged_splits(corpus, TagMapping(Tagset::kRaw), o);
  BOOST_TEST(strings(raw.train.tags(0)) == (std::vector<std::string>{"at", "nn-tl", "."}),
             boost::test_tools::per_element());
  BOOST_TEST(raw.corpus_tags == 7u);
  // A raw tag missing from the univ map: named, with where it first occurs.
  const UniversalTagMap partial = UniversalTagMap::parse("AT\tDET\nNN-TL\tNOUN\n.\t.\n", "partial.map");
  check_throws<FormatError>([&] { make_tagged_splits(corpus, TagMapping(Tagset::kUniv, partial), o); },
                            {"partial.map", "'fw-nn'", "ca01, line 3"});
}

BOOST_AUTO_TEST_CASE(tag_vocab_orders_by_count_then_name_and_has_an_unseen_id) {
  const TagVocab v = TagVocab::build(tagged({"a/x b/y c/z", "d/y e/w f/x g/y"}));
  // y 3, then x 2, then w 1 and z 1 by name
  BOOST_TEST(v.names() == (std::vector<std::string>{"y", "x", "w", "z"}), boost::test_tools::per_element());
  BOOST_TEST(v.count(0) == 3u);
  BOOST_TEST(v.unseen() == 4u);
  BOOST_TEST(v.id("w") == 2u);
  BOOST_TEST(v.id("q") == v.unseen());
  BOOST_TEST(!v.find("q").has_value());
  const std::vector<std::string_view> t{"z", "q"};
  BOOST_TEST(v.encode(t) == (std::vector<TagId>{3, 4}), boost::test_tools::per_element());
  check_throws<UsageError>([] { TagVocab::from_tags({"a", "b", "a"}); }, {"'a' twice"});
}

BOOST_AUTO_TEST_CASE(scores_count_unknown_words_and_rank_confusions) {
  // 8 tokens, 5 correct; unknown: "zz" (wrong), "qq" (right) → 1 of 2.
  TagScore s;
  KnownWords known(tagged({"a/x b/x c/x d/x e/x f/x"}));
  const std::vector<std::string_view> w1{"a", "zz", "b", "c"}, g1{"nn", "vb", "nn", "jj"}, p1{"nn", "nn", "nn", "nn"};
  const std::vector<std::string_view> w2{"d", "qq", "e", "f"}, g2{"vb", "jj", "at", "nn"}, p2{"nn", "jj", "at", "nn"};
  s.add_sentence(w1, g1, p1, known);
  s.add_sentence(w2, g2, p2, known);
  BOOST_TEST(s.tokens() == 8u);
  BOOST_TEST(s.correct() == 5u);
  BOOST_TEST(s.accuracy() == 5.0 / 8.0);
  BOOST_TEST(s.unknown_tokens() == 2u);
  BOOST_TEST(s.unknown_accuracy() == 0.5);
  BOOST_TEST(s.known_accuracy() == 4.0 / 6.0);
  // errors: vb→nn twice, jj→nn once; ties by name
  const std::vector<TagConfusion> c = s.confusions(10);
  BOOST_TEST_REQUIRE(c.size() == 2u);
  BOOST_TEST(c[0].gold == "vb");
  BOOST_TEST(c[0].predicted == "nn");
  BOOST_TEST(c[0].count == 2u);
  BOOST_TEST(c[1].gold == "jj");
  BOOST_TEST(s.confusions(1).size() == 1u);
  const std::string d = s.describe(10);
  BOOST_TEST(d.find("accuracy 62.50 % (5 of 8)") != std::string::npos, d);
  BOOST_TEST(d.find("unknown words 50.00 % (1 of 2)") != std::string::npos, d);
  BOOST_TEST(d.find("2  vb -> nn") != std::string::npos, d);

  TagScore other;
  other.add("nn", "nn", false);
  s.merge(other);
  BOOST_TEST(s.tokens() == 9u);
  BOOST_TEST(s.unknown_correct() == 2u);
  check_throws<UsageError>([&] { s.add_sentence(w1, g1, std::span(p1).first(3), known); }, {"4 words", "3 predicted"});
  BOOST_TEST(TagScore().accuracy() == 0.0);
}

// Tag counts: at 2, and nn, nns, vb, vbz once each → ids at 0, nn 1, nns 2, vb 3, vbz 4.
// "runs": nns 1, vbz 1 → the smaller id, nns; "dog": nn 1, vb 1 → nn; an unknown word → at.
BOOST_AUTO_TEST_CASE(most_frequent_tag_breaks_ties_by_overall_frequency) {
  const TokenCorpus train = tagged({"the/at dog/nn runs/vbz", "the/at runs/nns", "dog/vb"});
  const MostFrequentTagger m = MostFrequentTagger::train(train, Tagset::kBase);
  BOOST_TEST(m.tags().names() == (std::vector<std::string>{"at", "nn", "nns", "vb", "vbz"}),
             boost::test_tools::per_element());
  const std::vector<std::string_view> words{"the", "runs", "dog", "cat", "The"};
  BOOST_TEST(names(m, m.tag(words)) == (std::vector<std::string>{"at", "nns", "nn", "at", "at"}),
             boost::test_tools::per_element());
  BOOST_TEST(m.kind() == "mft");

  // Its score on a test text: the/at runs/vbz cat/nn → the right, runs wrong, cat (unknown) wrong.
  const TokenCorpus test = tagged({"the/at runs/vbz cat/nn"});
  const TagScore s = evaluate_tagger(m, test, KnownWords(train));
  BOOST_TEST(s.correct() == 1u);
  BOOST_TEST(s.unknown_tokens() == 1u);
  BOOST_TEST(s.unknown_correct() == 0u);
}

// Units A B | A B | A C | B, tags A 3, B 3, C 1 (ids A 0, B 1, C 2); N = 7 tags + 4 </s> = 11.
// Trigram votes (f(abc); held-out ratios r3, r2, r1):
//   <s> A B  2: 1/2, 1/2, 2/10 → λ3     <s> A C  1: 0, 0, 0 → λ3 (ties go up)
//   A B </s> 2: 1, 1, 3/10     → λ3     A C </s> 1: 0, 0, 3/10 → λ1     <s> B </s> 1: 0, 1, 3/10 → λ2
// so λ = (1/7, 1/7, 5/7).
BOOST_AUTO_TEST_CASE(deleted_interpolation_matches_the_hand_computation, *boost::unit_test::tolerance(1e-6)) {
  const TokenCorpus train = tagged({"a/A b/B", "a/A b/B", "a/A c/C", "b/B"});
  const TagVocab tags = TagVocab::build(train);
  BOOST_TEST(tags.names() == (std::vector<std::string>{"A", "B", "C"}), boost::test_tools::per_element());
  const TagTransitions t(TagTransitions::count(train, tags), tags.size(), TransitionSmoothing::kDeletedInterpolation);
  BOOST_TEST(t.lambdas()[0] == 1.0 / 7);
  BOOST_TEST(t.lambdas()[1] == 1.0 / 7);
  BOOST_TEST(t.lambdas()[2] == 5.0 / 7);
  const TagId A = 0, B = 1, C = 2, S = t.boundary();
  // P(B | <s> A) = 5/7·2/3 + 1/7·2/3 + 1/7·3/11 = 47/77
  BOOST_TEST(std::exp(t.log_prob(S, A, B)) == 47.0 / 77);
  // P(A | <s> <s>) = (5/7 + 1/7)·3/4 + 1/7·3/11 = 15/22
  BOOST_TEST(std::exp(t.log_prob(S, S, A)) == 15.0 / 22);
  // P(</s> | <s> B) = 5/7·1 + 1/7·3/3 + 1/7·4/11 = 10/11
  BOOST_TEST(std::exp(t.log_prob(S, B, S)) == 10.0 / 11);
  // unseen history (B A): (λ2 f(A C)/f(A) + λ1 f(C)/N) / (λ1 + λ2) = (1/3 + 1/11)/2 = 7/33
  BOOST_TEST(std::exp(t.log_prob(B, A, C)) == 7.0 / 33);
  // every row is a distribution over the tags and </s>
  for (TagId a = 0; a <= S; ++a)
    for (TagId b = 0; b <= S; ++b) {
      if (b == S && a != S) continue;  // <s> only ever follows <s>
      double sum = 0;
      for (TagId c = 0; c <= S; ++c) sum += std::exp(t.log_prob(a, b, c));
      BOOST_TEST(sum == 1.0);
    }
  // Kneser-Ney over the same counts: distributions too (up to the mass it keeps for <unk>, never seen here).
  const TagTransitions kn(TagTransitions::count(train, tags), tags.size(), TransitionSmoothing::kKneserNey);
  double sum = 0;
  for (TagId c = 0; c <= S; ++c) sum += std::exp(kn.log_prob(S, A, c));
  BOOST_TEST(sum <= 1.0 + 1e-6);
  BOOST_TEST(sum > 0.9);
  BOOST_TEST(kn.log_prob(S, A, B) > kn.log_prob(S, A, C));  // A B twice, A C once
  check_throws<UsageError>([] { parse_transition_smoothing("wb"); }, {"'wb'", "tnt", "kn"});
}

// Rare words (≤ 10 times): walked/vbd talked/vbd red/jj (lower case), Paris/np (capitalised); "the" (11) is not.
// Tags: at 11, vbd 2, jj 1, np 1 (ids 0–3), so P̂ = (11, 2, 1, 1)/15 and
// θ = sqrt(((29/60)² + (7/60)² + 2 (11/60)²) / 3) = sqrt(1132/10800).
// "baked": endings "", d, ed, ked are seen, "aked" not. P_0 = P̂(·|"") = (vbd 2/3, jj 1/3) over rare lower-case
// words, "d" and "ed" give the same (2/3, 1/3) and so keep it, "ked" gives (1, 0): P_3(vbd) = (1 + θ 2/3)/(1 + θ).
BOOST_AUTO_TEST_CASE(suffix_model_matches_the_hand_computation, *boost::unit_test::tolerance(1e-9)) {
  std::vector<std::string> lines{"walked/vbd talked/vbd red/jj Paris/np"};
  for (int i = 0; i < 11; ++i) lines.push_back("the/at");
  const TokenCorpus train = tagged(lines);
  const TagVocab tags = TagVocab::build(train);
  BOOST_TEST(tags.names() == (std::vector<std::string>{"at", "vbd", "jj", "np"}), boost::test_tools::per_element());
  const SuffixModel m = SuffixModel::build(TagLexicon::build(train, tags), tags);
  const double theta = std::sqrt(1132.0 / 10800.0);
  BOOST_TEST(m.theta() == theta);
  BOOST_TEST(m.matched_length("baked") == 3u);
  const std::vector<double> p = m.tag_probabilities("baked");
  BOOST_TEST(p[0] == 0.0);  // "at" is no rare word's tag
  BOOST_TEST(p[1] == (1 + theta * 2 / 3) / (1 + theta));
  BOOST_TEST(p[2] == (theta / 3) / (1 + theta));
  BOOST_TEST(p[3] == 0.0);  // np belongs to the capitalised class
  std::vector<TagId> cand;
  std::vector<float> score;
  m.emissions("baked", cand, score);
  BOOST_TEST(cand == (std::vector<TagId>{1, 2}), boost::test_tools::per_element());
  BOOST_TEST(double(score[0]) == std::log((1 + theta * 2 / 3) / (1 + theta)) - std::log(2.0 / 15),
             boost::test_tools::tolerance(1e-6));
  // A capitalised unknown word: only the capitalised rare words' tags.
  BOOST_TEST(m.tag_probabilities("Rome")[3] == 1.0);
  BOOST_TEST(m.matched_length("xyz") == 0u);  // no ending seen: P_0
  BOOST_TEST(m.tag_probabilities("xyz")[1] == 2.0 / 3);

  // Without capitalised rare words, a capitalised unknown word uses the lower-case counts.
  const TokenCorpus lower = tagged({"walked/vbd red/jj"});
  const TagVocab lt = TagVocab::build(lower);
  const SuffixModel ml = SuffixModel::build(TagLexicon::build(lower, lt), lt);
  BOOST_TEST(ml.tag_probabilities("Rome")[lt.id("vbd")] == 0.5);
  // No rare word at all.
  const TokenCorpus frequent = tagged({"a/x a/x"});
  const TagVocab ft = TagVocab::build(frequent);
  check_throws<FormatError>([&] { SuffixModel::build(TagLexicon::build(frequent, ft), ft, {.rare_max = 1}); },
                            {"no training word is seen at most 1 times"});
}

// The key check of the decoder: on random transition tables and lattices, Viterbi (exact, and with a beam too wide to
// prune) finds the sequence and score that enumerating every tag sequence finds.
BOOST_AUTO_TEST_CASE(viterbi_equals_brute_force_enumeration) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t T = 1 + trial % 4;
    const DenseTransitions tr(T, rng);
    Lattice l;
    const std::size_t n = trial % 7;  // 0 … 6 words
    for (std::size_t i = 0; i < n; ++i) {
      l.next_position();
      std::uniform_real_distribution<float> e(-5.0f, 0.0f);
      for (TagId t = 0; t < T; ++t)
        if (t == 0 || rng() % 3 != 0) l.add(static_cast<TagId>((t + trial) % T), e(rng));  // 1 … T candidates
    }
    const ViterbiResult want = brute_force(tr, l);
    for (double beam : {0.0, 1e300}) {
      const ViterbiResult got = viterbi(tr, l, beam);
      BOOST_TEST(got.tags == want.tags, boost::test_tools::per_element());
      BOOST_TEST(got.log_prob == want.log_prob, boost::test_tools::tolerance(1e-9));
    }
  }
  // Bad lattices.
  std::mt19937 r(1);
  const DenseTransitions tr(2, r);
  Lattice empty_position;
  empty_position.next_position();
  check_throws<UsageError>([&] { viterbi(tr, empty_position); }, {"position 0 has no candidate"});
  Lattice bad_tag;
  bad_tag.next_position();
  bad_tag.add(2, 0.0f);
  check_throws<UsageError>([&] { viterbi(tr, bad_tag); }, {"not one of the 2 tags"});
}

// The HMM's own decoding equals brute force over its lattice and transitions, and uses the context: "can" after
// "the" is a noun, after "they" a modal.
BOOST_AUTO_TEST_CASE(hmm_tagger_decodes_exactly_and_uses_context) {
  const TokenCorpus train =
      tagged({"the/at can/nn is/bez red/jj", "they/ppss can/md run/vb", "the/at dog/nn can/md run/vb",
              "they/ppss run/vb", "the/at can/nn", "a/at dog/nn is/bez red/jj"});
  HmmOptions o;
  o.beam = 0;
  const HmmTagger h = HmmTagger::train(train, Tagset::kBase, o);
  const std::vector<std::vector<std::string_view>> sentences{
      {"the", "can"}, {"they", "can", "run"}, {"a", "can", "is", "blue"}, {"the", "dog", "can", "walk"}, {}};
  for (const auto& s : sentences) {
    Lattice l;
    h.lattice(s, l);
    const ViterbiResult want = brute_force(h.transitions(), l);
    const ViterbiResult got = h.decode(s);
    BOOST_TEST(got.tags == want.tags, boost::test_tools::per_element());
    BOOST_TEST(got.log_prob == want.log_prob, boost::test_tools::tolerance(1e-9));
  }
  BOOST_TEST(names(h, h.tag(sentences[0]))[1] == "nn");
  BOOST_TEST(names(h, h.tag(sentences[1]))[1] == "md");
  BOOST_TEST(h.kind() == "hmm");
}

BOOST_AUTO_TEST_CASE(saved_taggers_load_and_tag_the_same) {
  TempDir dir;
  const TokenCorpus train = tagged({"the/at can/nn is/bez red/jj", "they/ppss can/md run/vb",
                                    "the/at dog/nn can/md run/vb", "Paris/np is/bez big/jj", "they/ppss walked/vbd"});
  const std::vector<std::string_view> words{"they", "can", "talk", "in", "Rome", "the", "dog"};
  const MostFrequentTagger m = MostFrequentTagger::train(train, Tagset::kRaw);
  m.save(dir.path("m.json"));
  const std::unique_ptr<Tagger> m2 = load_tagger(dir.path("m.json"));
  BOOST_TEST(m2->kind() == "mft");
  BOOST_TEST((m2->tagset() == Tagset::kRaw));
  BOOST_TEST(m2->tags().names() == m.tags().names(), boost::test_tools::per_element());
  BOOST_TEST(m2->tag(words) == m.tag(words), boost::test_tools::per_element());

  for (TransitionSmoothing s : {TransitionSmoothing::kDeletedInterpolation, TransitionSmoothing::kKneserNey}) {
    HmmOptions o;
    o.smoothing = s;
    o.suffix.max_suffix = 3;
    const HmmTagger h = HmmTagger::train(train, Tagset::kUniv, o);
    h.save(dir.path("h.json"));
    const std::unique_ptr<Tagger> h2 = load_tagger(dir.path("h.json"));
    BOOST_TEST(h2->kind() == "hmm");
    BOOST_TEST((h2->tagset() == Tagset::kUniv));
    BOOST_TEST(h2->describe() == h.describe());
    BOOST_TEST(h2->tag(words) == h.tag(words), boost::test_tools::per_element());
    const auto& loaded = dynamic_cast<const HmmTagger&>(*h2);
    for (TagId a = 0; a <= loaded.transitions().boundary(); ++a)
      for (TagId c = 0; c <= loaded.transitions().boundary(); ++c)
        BOOST_TEST(loaded.transitions().log_prob(a, 0, c) == h.transitions().log_prob(a, 0, c));
  }

  // Not a tagger file; a tagger of another kind; a damaged one.
  check_throws<FormatError>([&] { load_tagger(dir.write("x.json", "{\"a\": 1}")); },
                            {"x.json", "not a tapegrad tagger"});
  check_throws<FormatError>([&] { load_tagger(dir.write("y.txt", "hello")); }, {"y.txt", "not JSON"});
  check_throws<IoError>([&] { load_tagger(dir.path("absent.json")); }, {"absent.json"});
  check_throws<FormatError>(
      [&] {
        load_tagger(dir.write("k.json", R"({"format": "tapegrad-tagger", "version": 1, "kind": "crf", "tagset": "base",
                                          "tags": ["nn"], "tag_counts": [1]})"));
      },
      {"k.json", "unknown kind 'crf'"});
  check_throws<FormatError>(
      [&] {
        load_tagger(dir.write("w.json", R"({"format": "tapegrad-tagger", "version": 1, "kind": "mft", "tagset": "base",
                                          "tags": ["nn"], "tag_counts": [1], "words": {"a": 3}})"));
      },
      {"w.json", "'a' has tag id 3 of 1"});
  check_throws<FormatError>([&] { HmmTagger::load(dir.path("m.json")); }, {"m.json", "'mft' tagger, not 'hmm'"});
}

BOOST_AUTO_TEST_SUITE_END()
