// Entry point of the Brown tagging suite (Boost.Test generates main here); the cases are in test_brown_tags.cpp.
#define BOOST_TEST_MODULE tapegrad_lm_brown_tags
#include <boost/test/unit_test.hpp>
