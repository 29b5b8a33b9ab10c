// Vocabulary: the id rule (specials, then count descending, then bytes), min-count, encoding with <unk>, the file
// format with its escapes, and the errors of a bad vocabulary file.
#include <boost/test/unit_test.hpp>
#include <span>

#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm/text/utf8.hpp"
#include "lm/text/vocab.hpp"
#include "nn/safetensors.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

BOOST_AUTO_TEST_SUITE(vocab)

// Counts: b 3, a 2, c 2, d 1, <unk> 1; sentences 3.
// min 1: <unk> </s> b a c d     (a before c: same count, 'a' < 'c')
// min 2: <unk> </s> b a c
BOOST_AUTO_TEST_CASE(ids_follow_the_documented_rule) {
  const TokenCorpus c = TokenCorpus::from_sentences({{"b", "a", "c"}, {"b", "d", "c", "<unk>"}, {"a", "b"}});
  const Vocab v1 = Vocab::build(c, 1);
  BOOST_TEST(v1.size() == 6u);
  const std::vector<std::string> expected = {"<unk>", "</s>", "b", "a", "c", "d"};
  for (WordId i = 0; i < v1.size(); ++i) BOOST_TEST(v1.token(i) == expected[i]);
  BOOST_TEST(v1.count(2) == 3u);
  BOOST_TEST(v1.count(Vocab::kUnk) == 1u);
  BOOST_TEST(v1.count(Vocab::kEos) == 3u);

  const Vocab v2 = Vocab::build(c, 2);
  BOOST_TEST(v2.size() == 5u);
  BOOST_TEST(!v2.contains("d"));
  BOOST_TEST(v2.id("d") == Vocab::kUnk);
  BOOST_TEST(v2.id("never seen") == Vocab::kUnk);
  BOOST_TEST(v2.id("c") == 4u);
}

BOOST_AUTO_TEST_CASE(encoding_maps_unknown_words_to_unk_and_counts_them) {
  const Vocab v = Vocab::build(TokenCorpus::from_sentences({{"x", "y"}, {"x"}}), 1);  // <unk> </s> x y
  const IdCorpus ids = v.encode(TokenCorpus::from_sentences({{"x", "zzz", "y"}, {}, {"<unk>"}}));
  BOOST_TEST(ids.num_sentences() == 3u);
  BOOST_TEST(ids.ids == (std::vector<WordId>{2, 0, 3, 0}), boost::test_tools::per_element());
  BOOST_TEST(ids.sentence(1).size() == 0u);
  BOOST_TEST(ids.oov == 1u);  // "zzz"; a literal <unk> is in the vocabulary
}

BOOST_AUTO_TEST_CASE(save_and_load_round_trip_with_escapes) {
  TempDir dir;
  // A character vocabulary has tokens a text file cannot hold raw: space, tab, newline, backslash.
  const Vocab v = Vocab::build(TokenCorpus::parse_chars("a b\\\tb\n", "mem"), 1);
  const std::string path = dir.path("vocab.txt");
  v.save(path);
  const Vocab back = Vocab::load(path);
  BOOST_TEST(back.size() == v.size());
  for (WordId i = 0; i < v.size(); ++i) BOOST_TEST(back.token(i) == v.token(i));
  BOOST_TEST(escape_token(" \t\\x") == "\\x20\\x09\\\\x");
  BOOST_TEST(unescape_token("\\x20\\x09\\\\x", "mem", 1) == " \t\\x");
}

// D2: a character vocabulary of a non-ASCII text held one token per byte, so its text (a checkpoint's JSON metadata)
// was not UTF-8 and saving failed with "safetensors::write: invalid UTF-8 byte". Now a token is a code point.
BOOST_AUTO_TEST_CASE(char_vocabulary_has_one_token_per_code_point_and_saves_in_a_checkpoint) {
  // Grüße / κόσμε / 世界世: G r ü ß e, κ ό σ μ ε, 世 界 — 12 characters, plus <unk> and </s>.
  const std::string text = "Gr\xc3\xbc\xc3\x9f" "e\n"
                           "\xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5\n"
                           "\xe4\xb8\x96\xe7\x95\x8c\xe4\xb8\x96\n";
  const Vocab v = Vocab::build(TokenCorpus::parse_chars(text, "mem"), 1);
  BOOST_TEST(v.size() == 14u);
  BOOST_TEST(v.token(2) == "\xe4\xb8\x96");  // 世, the only character seen twice, comes first
  for (const char* ch : {"G", "\xc3\xbc", "\xc3\x9f", "\xce\xba", "\xcf\x8c", "\xe7\x95\x8c"})
    BOOST_TEST(v.contains(ch), ch);
  const std::string saved = v.to_text();
  BOOST_TEST(find_invalid_utf8(saved) == std::string::npos);
  const Vocab back = Vocab::parse(saved, "mem");
  BOOST_TEST(back.size() == v.size());
  for (WordId i = 0; i < v.size(); ++i) BOOST_TEST(back.token(i) == v.token(i));
  // What a checkpoint stores: the vocabulary's text in the safetensors metadata.
  TempDir dir;
  const float weight = 1.0F;
  const tapegrad::nn::safetensors::TensorRef tensor{"w", tapegrad::nn::safetensors::DType::F32, {1},
                                                    std::as_bytes(std::span<const float>(&weight, 1))};
  tapegrad::nn::safetensors::write(dir.path("m.safetensors"), std::span(&tensor, 1), {{"vocab", saved}});
  const auto file = tapegrad::nn::safetensors::File::read(dir.path("m.safetensors"));
  BOOST_TEST(Vocab::parse(file.metadata().at("vocab"), "m").token(2) == "\xe4\xb8\x96");
}

BOOST_AUTO_TEST_CASE(tokens_must_be_utf8_and_stray_bytes_are_escaped) {
  const TokenCorpus latin1 = TokenCorpus::from_sentences({{"caf\xe9"}});  // not decoded: a raw Latin-1 byte
  check_throws<FormatError>([&] { Vocab::build(latin1, 1); }, {"<memory>", "caf\\xe9", "not valid UTF-8"});
  // Any token list (e.g. an ARPA file's words) still saves as UTF-8 text, and reads back the same.
  BOOST_TEST(escape_token("caf\xe9 \xc3\xa9") == "caf\\xe9\\x20\xc3\xa9");
  BOOST_TEST(unescape_token("caf\\xe9\\x20\xc3\xa9", "mem", 1) == "caf\xe9 \xc3\xa9");
}

// Character vocabularies written before tokens were code points (ASCII only: no other text could be saved) read as
// they were: the same escapes, the same tokens.
BOOST_AUTO_TEST_CASE(vocabulary_text_of_byte_level_checkpoints_still_reads) {
  const Vocab v = Vocab::parse("<unk>\n</s>\n\\x20\ne\n\\x09\n\\\\\nt\n", "old");
  BOOST_TEST(v.size() == 7u);
  BOOST_TEST(v.token(2) == " ");
  BOOST_TEST(v.token(4) == "\t");
  BOOST_TEST(v.token(5) == "\\");
  BOOST_TEST(v.to_text() == "<unk>\n</s>\n\\x20\ne\n\\x09\n\\\\\nt\n");
}

BOOST_AUTO_TEST_CASE(bad_vocabulary_files_are_rejected_with_their_line) {
  TempDir dir;
  const std::string empty = dir.write("empty.txt", "");
  check_throws<FormatError>([&] { Vocab::load(empty); }, {empty, "empty"});
  const std::string dup = dir.write("dup.txt", "<unk>\n</s>\nthe\nof\nthe\n");
  check_throws<FormatError>([&] { Vocab::load(dup); }, {dup + ":5:", "duplicate", "line 3"});
  const std::string order = dir.write("order.txt", "</s>\n<unk>\nthe\n");
  check_throws<FormatError>([&] { Vocab::load(order); }, {order, "<unk>", "</s>"});
  const std::string blank = dir.write("blank.txt", "<unk>\n</s>\n\nthe\n");
  check_throws<FormatError>([&] { Vocab::load(blank); }, {blank + ":3:", "empty line"});
  const std::string escape = dir.write("esc.txt", "<unk>\n</s>\nbad\\q\n");
  check_throws<FormatError>([&] { Vocab::load(escape); }, {escape + ":3:", "escape"});
  const std::string bos = dir.write("bos.txt", "<unk>\n</s>\n<s>\n");
  check_throws<FormatError>([&] { Vocab::load(bos); }, {bos + ":3:", "<s>"});
  const std::string specials = dir.write("specials.txt", "<unk>\n</s>\n");
  check_throws<FormatError>([&] { Vocab::load(specials); }, {specials, "empty vocabulary"});
}

BOOST_AUTO_TEST_CASE(empty_vocabulary_is_an_error) {
  const TokenCorpus c = TokenCorpus::from_sentences({{"a", "b"}, {"c"}});
  check_throws<FormatError>([&] { Vocab::build(c, 2); }, {"empty vocabulary", "at least 2"});
  BOOST_CHECK_THROW(Vocab::build(c, 0), tapegrad::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
