// The lm test suite's entry point (Boost.Test generates main here); the cases live in the test_*.cpp files.
#define BOOST_TEST_MODULE tapegrad_lm
#include <boost/test/unit_test.hpp>
