// The optimizer/schedule/checkpoint suite's entry point (Boost.Test generates main here); the cases live in the
// test_*.cpp files listed next to it in CMakeLists.txt.
#define BOOST_TEST_MODULE tapegrad_nn_optim
#include <boost/test/unit_test.hpp>
