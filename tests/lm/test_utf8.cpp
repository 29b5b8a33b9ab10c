// lm/text/utf8: the one UTF-8 decoder — sequence lengths by the table of well-formed sequences, splitting into code
// points (strict and with U+FFFD), Latin-1 → UTF-8, the Latin-1 guess; and the taggers' character split using it.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "lm/sequence/characters.hpp"
#include "lm/text/utf8.hpp"
#include "ops/error.hpp"

using namespace tapegrad::lm;

namespace {

std::vector<std::string> strings(const std::vector<std::string_view>& views) { return {views.begin(), views.end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(sequence_lengths_follow_the_lead_byte) {
  BOOST_TEST(utf8_sequence_length("a", 0) == 1u);
  BOOST_TEST(utf8_sequence_length("\xc3\xa9", 0) == 2u);          // é
  BOOST_TEST(utf8_sequence_length("\xce\xb1", 0) == 2u);          // α
  BOOST_TEST(utf8_sequence_length("\xe4\xb8\xad", 0) == 3u);      // 中
  BOOST_TEST(utf8_sequence_length("\xf0\x9f\x98\x80", 0) == 4u);  // 😀
  BOOST_TEST(utf8_sequence_length("\xc3\xa9", 1) == 0u);          // a continuation byte starts nothing
  BOOST_TEST(utf8_sequence_length("\xe4\xb8", 0) == 0u);          // truncated
  BOOST_TEST(utf8_sequence_length("\xc1\xbf", 0) == 0u);          // overlong
  BOOST_TEST(utf8_sequence_length("\xed\xbf\xbf", 0) == 0u);      // surrogate U+DFFF
  BOOST_TEST(utf8_sequence_length("\xf5\x80\x80\x80", 0) == 0u);  // beyond U+10FFFF
  BOOST_TEST(utf8_sequence_length("", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(text_splits_into_one_piece_per_code_point) {
  BOOST_TEST(strings(split_code_points("Gr\xc3\xbc\xc3\x9f" "e")) ==  // Grüße
                 (std::vector<std::string>{"G", "r", "\xc3\xbc", "\xc3\x9f", "e"}),
             boost::test_tools::per_element());
  BOOST_TEST(split_code_points("\xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5").size() == 5u);  // κόσμε
  BOOST_TEST(split_code_points("\xe4\xb8\x96\xe7\x95\x8c").size() == 2u);                  // 世界
  BOOST_TEST(split_code_points("\xf0\x9f\x98\x80!").size() == 2u);                         // 😀!
  BOOST_TEST(split_code_points("").empty());
  BOOST_CHECK_THROW(split_code_points("ab\xff"), tapegrad::UsageError);
}

BOOST_AUTO_TEST_CASE(lenient_split_replaces_each_bad_byte) {
  const std::vector<std::string> pieces = split_code_points_lenient("a\xff\xc3\xa9\xe4\xb8");
  // a, U+FFFD for 0xff, é, then the truncated 中 is two bad bytes
  BOOST_TEST(pieces == (std::vector<std::string>{"a", "\xEF\xBF\xBD", "\xc3\xa9", "\xEF\xBF\xBD", "\xEF\xBF\xBD"}),
             boost::test_tools::per_element());
  // The taggers' character encoder splits words with this same decoder.
  BOOST_TEST(utf8_characters("a\xff\xc3\xa9\xe4\xb8") == pieces, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(latin1_guess_needs_accented_bytes_and_no_utf8) {
  BOOST_TEST(looks_like_latin1("caf\xe9 na\xefve Stra\xdf" "e"));
  BOOST_TEST(!looks_like_latin1("plain ascii"));                    // nothing to decode
  BOOST_TEST(!looks_like_latin1("caf\xc3\xa9 \xff"));               // UTF-8 with one bad byte
  BOOST_TEST(!looks_like_latin1("\x93quoted\x94 caf\xe9"));         // 0x93/0x94: Windows-1252 quotes, C1 in Latin-1
  BOOST_TEST(latin1_to_utf8("Stra\xdf" "e") == "Stra\xc3\x9f" "e");  // ß = U+00DF
}

BOOST_AUTO_TEST_SUITE_END()
