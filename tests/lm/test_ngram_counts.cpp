// N-gram counting: sentence padding with <s> (never "<s> <s>"), raw counts, the trie layout and suffix links.
#include <boost/test/unit_test.hpp>

#include "lm/ngram/counts.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm/text/vocab.hpp"

using namespace tapegrad::lm;

namespace {

// Returns the count of an n-gram given as words ("<s>" for the sentence start), or 0 when it is not in the trie.
std::uint32_t count_of(const NgramCounts& c, const Vocab& v, std::vector<std::string> words) {
  std::uint32_t e = kNoEntry;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const WordId w = words[i] == "<s>" ? c.bos() : v.id(words[i]);
    e = i == 0 ? w : c.trie.child(static_cast<int>(i), e, w);
    if (e == kNoEntry) return 0;
  }
  return c.count[words.size() - 1][e];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ngram_counts)

// "x y" twice and "z y":  <s> x y </s> · <s> x y </s> · <s> z y </s>
//   1-grams: <s> 3, x 2, y 3, z 1, </s> 3
//   2-grams: <s> x 2, x y 2, y </s> 3, <s> z 1, z y 1
//   3-grams: <s> x y 2, x y </s> 2, <s> z y 1, z y </s> 1
BOOST_AUTO_TEST_CASE(counts_padded_sentences_by_hand) {
  const TokenCorpus text = TokenCorpus::from_sentences({{"x", "y"}, {"x", "y"}, {"z", "y"}});
  const Vocab v = Vocab::build(text, 1);
  const NgramCounts c = NgramCounts::build(v.encode(text), v.size(), 3);
  BOOST_TEST(c.sentences == 3u);
  BOOST_TEST(c.tokens == 9u);
  BOOST_TEST(c.trie.size(1) == v.size() + 1);
  BOOST_TEST(c.trie.size(2) == 5u);
  BOOST_TEST(c.trie.size(3) == 4u);
  BOOST_TEST(count_of(c, v, {"<s>"}) == 3u);
  BOOST_TEST(count_of(c, v, {"y"}) == 3u);
  BOOST_TEST(count_of(c, v, {"</s>"}) == 3u);
  BOOST_TEST(count_of(c, v, {"<unk>"}) == 0u);
  BOOST_TEST(count_of(c, v, {"<s>", "x"}) == 2u);
  BOOST_TEST(count_of(c, v, {"x", "y"}) == 2u);
  BOOST_TEST(count_of(c, v, {"y", "</s>"}) == 3u);
  BOOST_TEST(count_of(c, v, {"<s>", "z"}) == 1u);
  BOOST_TEST(count_of(c, v, {"<s>", "x", "y"}) == 2u);
  BOOST_TEST(count_of(c, v, {"z", "y", "</s>"}) == 1u);
  BOOST_TEST(count_of(c, v, {"<s>", "<s>", "x"}) == 0u);   // no double padding
  BOOST_TEST(count_of(c, v, {"y", "</s>", "<s>"}) == 0u);  // n-grams stay inside a sentence
  BOOST_TEST(count_of(c, v, {"x", "x"}) == 0u);

  // Suffix links: the 3-gram "<s> x y" points at the 2-gram "x y".
  const std::uint32_t sx = c.trie.child(1, c.bos(), v.id("x"));
  const std::uint32_t sxy = c.trie.child(2, sx, v.id("y"));
  BOOST_TEST(c.suffix[2][sxy] == c.trie.child(1, v.id("x"), v.id("y")));
  BOOST_TEST(c.trie.ngram(3, sxy) == (std::vector<WordId>{c.bos(), v.id("x"), v.id("y")}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(children_are_sorted_by_word) {
  const TokenCorpus text = TokenCorpus::from_sentences({{"a", "c"}, {"a", "b"}, {"a", "d"}, {"a", "b"}});
  const Vocab v = Vocab::build(text, 1);
  const NgramCounts c = NgramCounts::build(v.encode(text), v.size(), 2);
  const std::uint32_t a = v.id("a");
  BOOST_TEST(c.trie.children_end(1, a) - c.trie.children_begin(1, a) == 3u);
  for (std::uint32_t e = c.trie.children_begin(1, a) + 1; e < c.trie.children_end(1, a); ++e)
    BOOST_TEST(c.trie.word(2, e - 1) < c.trie.word(2, e));
}

BOOST_AUTO_TEST_CASE(bad_arguments) {
  const TokenCorpus text = TokenCorpus::from_sentences({{"a"}});
  const Vocab v = Vocab::build(text, 1);
  BOOST_CHECK_THROW(NgramCounts::build(v.encode(text), v.size(), 0), tapegrad::UsageError);
  BOOST_CHECK_THROW(NgramCounts::build(IdCorpus{}, v.size(), 2), FormatError);
  IdCorpus out_of_range = v.encode(text);
  out_of_range.ids[0] = 99;
  BOOST_CHECK_THROW(NgramCounts::build(out_of_range, v.size(), 2), tapegrad::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
