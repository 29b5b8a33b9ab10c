// Entry point of the Brown corpus suite (Boost.Test generates main here); the cases are in test_brown_corpus.cpp.
#define BOOST_TEST_MODULE tapegrad_lm_brown
#include <boost/test/unit_test.hpp>
