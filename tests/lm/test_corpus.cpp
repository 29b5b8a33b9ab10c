// Plain-text readers: words (one sentence per line, white-space tokens, blank lines skipped), characters (code points,
// blank lines kept), the Latin-1 option, and every bad input they must reject with the file and line named.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

namespace {

std::vector<std::string> strings(std::span<const std::string_view> views) { return {views.begin(), views.end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(corpus)

BOOST_AUTO_TEST_CASE(word_reader_splits_lines_and_white_space) {
  TempDir dir;
  // Tabs and repeated spaces separate words; a blank (or white-space only) line is no sentence; CRLF is fine;
  // the last line needs no newline.
  const std::string path = dir.write("t.txt", "the cat  sat\n\n \t \non\tthe mat\r\n<unk> café");
  const TokenCorpus c = TokenCorpus::read_words(path);
  BOOST_TEST(c.num_sentences() == 3u);
  BOOST_TEST(c.num_tokens() == 8u);
  BOOST_TEST(strings(c.sentence(0)) == (std::vector<std::string>{"the", "cat", "sat"}),
             boost::test_tools::per_element());
  BOOST_TEST(strings(c.sentence(1)) == (std::vector<std::string>{"on", "the", "mat"}),
             boost::test_tools::per_element());
  BOOST_TEST(strings(c.sentence(2)) == (std::vector<std::string>{"<unk>", "café"}), boost::test_tools::per_element());
  BOOST_TEST(c.line(0) == 1u);
  BOOST_TEST(c.line(1) == 4u);
  BOOST_TEST(c.line(2) == 5u);
  BOOST_TEST(!c.tagged());
  BOOST_TEST(c.to_text() == "the cat sat\non the mat\n<unk> café\n");
}

BOOST_AUTO_TEST_CASE(char_reader_splits_code_points_and_keeps_blank_lines) {
  TempDir dir;
  // ü ß: 2 bytes each, € and 中: 3, 😀: 4 — each one token, as ASCII letters are.
  const std::string path = dir.write("c.txt", "ab c\n\nGr\xc3\xbc\xc3\x9f \xe2\x82\xac\xe4\xb8\xad\xf0\x9f\x98\x80\n");
  const TokenCorpus c = TokenCorpus::read_chars(path);
  BOOST_TEST(c.num_sentences() == 3u);  // "ab c", "", "Grüß €中😀"
  BOOST_TEST(strings(c.sentence(0)) == (std::vector<std::string>{"a", "b", " ", "c"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.sentence(1).size() == 0u);
  BOOST_TEST(strings(c.sentence(2)) ==
                 (std::vector<std::string>{"G", "r", "\xc3\xbc", "\xc3\x9f", " ", "\xe2\x82\xac", "\xe4\xb8\xad",
                                           "\xf0\x9f\x98\x80"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.line(2) == 3u);
}

BOOST_AUTO_TEST_CASE(copies_stay_valid_after_the_original_is_gone) {
  TokenCorpus copy;
  {
    TokenCorpus original = TokenCorpus::parse_words("one two\nthree\n", "mem");
    copy = original;
  }
  BOOST_TEST(copy.to_text() == "one two\nthree\n");
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_io_error_naming_it) {
  check_throws<IoError>([] { TokenCorpus::read_words("/nonexistent/dir/x.txt"); },
                        {"/nonexistent/dir/x.txt", "cannot open"});
  TempDir dir;
  check_throws<IoError>([&] { TokenCorpus::read_words(dir.path("")); }, {"is a directory"});
}

BOOST_AUTO_TEST_CASE(empty_and_blank_files_are_rejected) {
  TempDir dir;
  const std::string empty = dir.write("empty.txt", "");
  check_throws<FormatError>([&] { TokenCorpus::read_words(empty); }, {empty, "empty"});
  check_throws<FormatError>([&] { TokenCorpus::read_chars(empty); }, {empty, "empty"});
  const std::string blank = dir.write("blank.txt", "\n  \n\t\n");
  check_throws<FormatError>([&] { TokenCorpus::read_words(blank); }, {blank, "no sentence"});
}

BOOST_AUTO_TEST_CASE(binary_file_is_rejected_with_its_line) {
  TempDir dir;
  const std::string path = dir.write("bin.dat", std::string("line one\nab\0cd\n", 15));
  check_throws<FormatError>([&] { TokenCorpus::read_words(path); }, {path + ":2:", "binary", "column 3"});
  check_throws<FormatError>([&] { TokenCorpus::read_chars(path); }, {path + ":2:", "binary"});
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected_by_both_readers_with_line_column_and_offset) {
  TempDir dir;
  const std::string path = dir.write("latin1.txt", "ok line\nna\xefve\n");  // Latin-1 ï, not UTF-8
  for (const auto read : {&TokenCorpus::read_words, &TokenCorpus::read_chars})
    check_throws<FormatError>([&] { read(path, TextEncoding::Utf8); },
                              {path + ":2:", "invalid UTF-8", "column 3", "0xef", "byte offset 10",
                               "looks like Latin-1", "--encoding latin1"});
}

BOOST_AUTO_TEST_CASE(damaged_utf8_is_not_mistaken_for_latin1) {
  TempDir dir;
  // Valid two-byte characters, then a stray 0xff: UTF-8 with an error, so no Latin-1 advice.
  const std::string path = dir.write("damaged.txt", "Gr\xc3\xbc\xc3\x9f\xff\n");
  check_throws<FormatError>([&] { TokenCorpus::read_chars(path); }, {path + ":1:", "column 7", "byte offset 6"});
  try {
    TokenCorpus::read_chars(path);
  } catch (const FormatError& e) {
    BOOST_TEST(std::string(e.what()).find("Latin-1") == std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(latin1_option_decodes_every_byte_as_its_code_point) {
  TempDir dir;
  const std::string path = dir.write("latin1.txt", "ok line\nna\xefve caf\xe9\n");
  const TokenCorpus words = TokenCorpus::read_words(path, TextEncoding::Latin1);
  BOOST_TEST(strings(words.sentence(1)) == (std::vector<std::string>{"na\xc3\xafve", "caf\xc3\xa9"}),
             boost::test_tools::per_element());
  const TokenCorpus chars = TokenCorpus::read_chars(path, TextEncoding::Latin1);
  BOOST_TEST(chars.sentence(1).size() == 10u);  // n a ï v e ␠ c a f é
  BOOST_TEST(chars.sentence(1)[2] == "\xc3\xaf");
  BOOST_TEST(chars.sentence(1)[9] == "\xc3\xa9");
  BOOST_TEST((parse_encoding("latin1") == TextEncoding::Latin1));
  BOOST_TEST((parse_encoding("utf8") == TextEncoding::Utf8));
  check_throws<tapegrad::UsageError>([] { parse_encoding("cp1252"); }, {"cp1252", "utf8 or latin1"});
}

BOOST_AUTO_TEST_CASE(utf8_validator_follows_rfc3629) {
  BOOST_TEST(find_invalid_utf8("plain ascii") == std::string_view::npos);
  BOOST_TEST(find_invalid_utf8("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == std::string_view::npos);  // é € 😀
  BOOST_TEST(find_invalid_utf8("a\x80") == 1u);             // lone continuation byte
  BOOST_TEST(find_invalid_utf8("\xc0\xaf") == 0u);          // overlong '/'
  BOOST_TEST(find_invalid_utf8("\xe0\x80\xaf") == 0u);      // overlong, 3 bytes
  BOOST_TEST(find_invalid_utf8("\xed\xa0\x80") == 0u);      // surrogate U+D800
  BOOST_TEST(find_invalid_utf8("\xf4\x90\x80\x80") == 0u);  // above U+10FFFF
  BOOST_TEST(find_invalid_utf8("ab\xe2\x82") == 2u);        // truncated sequence
}

BOOST_AUTO_TEST_CASE(sentence_markers_are_reserved_in_text) {
  TempDir dir;
  const std::string path = dir.write("m.txt", "fine\nnot </s> here\n");
  check_throws<FormatError>([&] { TokenCorpus::read_words(path); }, {path + ":2:", "</s>", "reserved"});
  check_throws<FormatError>([&] { TokenCorpus::parse_words("<s> a\n", "mem"); }, {"mem:1:", "<s>"});
}

BOOST_AUTO_TEST_CASE(tags_must_match_tokens) {
  TokenCorpus c("mem");
  static const std::string_view words[] = {"a", "b"}, tags[] = {"x"};
  BOOST_CHECK_THROW(c.add_sentence(words, tags), tapegrad::UsageError);
  BOOST_TEST(c.to_text(/*tags=*/true).empty());  // nothing to tag yet
  c.add_sentence(words);
  BOOST_CHECK_THROW(c.to_text(/*tags=*/true), tapegrad::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
