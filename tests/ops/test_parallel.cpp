// The thread-count policy's bounds: set_num_threads accepts 1 … max_threads() and refuses anything else, before
// the OpenMP runtime sees it (a huge count crashed libgomp: issue 13, D4).
#include <boost/test/unit_test.hpp>
#include <string>

#include "ops/error.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;

BOOST_AUTO_TEST_SUITE(parallel)

BOOST_AUTO_TEST_CASE(max_threads_is_a_few_per_processor) {
  BOOST_TEST(ops::max_threads() >= ops::kMaxThreadsPerProcessor);
  BOOST_TEST(ops::max_threads() % ops::kMaxThreadsPerProcessor == 0);
}

BOOST_AUTO_TEST_CASE(counts_above_the_bound_are_refused_and_leave_the_setting_alone) {
  const int before = ops::num_threads();
  BOOST_CHECK_THROW(ops::set_num_threads(100000), UsageError);
  BOOST_CHECK_THROW(ops::set_num_threads(ops::max_threads() + 1), UsageError);
  BOOST_TEST(ops::num_threads() == before);
}

BOOST_AUTO_TEST_CASE(the_bound_itself_is_accepted) {
  const int before = ops::num_threads();
  ops::set_num_threads(ops::max_threads());
  BOOST_TEST(ops::num_threads() == ops::max_threads());
  ops::set_num_threads(before);
}

BOOST_AUTO_TEST_CASE(the_message_names_the_count_and_the_bound) {
  try {
    ops::set_num_threads(100000);
    BOOST_FAIL("no exception");
  } catch (const UsageError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("100000") != std::string::npos);
    BOOST_TEST(what.find(std::to_string(ops::max_threads())) != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
