// The shared text helpers (ops/text.hpp): XML escaping and comma lists, including non-ASCII text.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "ops/text.hpp"

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(xml_escape_replaces_the_four_special_characters_only) {
  BOOST_TEST(tapegrad::xml_escape("a<b & \"c\" > d") == "a&lt;b &amp; &quot;c&quot; &gt; d");
  BOOST_TEST(tapegrad::xml_escape("‖∂J/∂v‖ 'ok'") == "‖∂J/∂v‖ 'ok'");  // UTF-8 and apostrophes pass through
  BOOST_TEST(tapegrad::xml_escape("").empty());
}

BOOST_AUTO_TEST_CASE(split_list_drops_empty_items) {
  using List = std::vector<std::string>;
  BOOST_TEST(tapegrad::split_list("lstm,gru,,rnn") == (List{"lstm", "gru", "rnn"}), boost::test_tools::per_element());
  BOOST_TEST(tapegrad::split_list(",1,") == (List{"1"}), boost::test_tools::per_element());
  BOOST_TEST(tapegrad::split_list("").empty());
  BOOST_TEST(tapegrad::split_list("é,ü") == (List{"é", "ü"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
