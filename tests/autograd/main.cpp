// Test module of the autograd layer: the tape, every op's gradient, gradient checking, end-to-end graphs.
#define BOOST_TEST_MODULE tapegrad_autograd
#include <boost/test/unit_test.hpp>
