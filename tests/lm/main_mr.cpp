// Entry point of the MR sentence-polarity suite (Boost.Test generates main here); the cases are in test_mr_corpus.cpp.
#define BOOST_TEST_MODULE tapegrad_lm_mr
#include <boost/test/unit_test.hpp>
