// The kernel test suite's entry point (Boost.Test generates main here); the cases live in the test_*.cpp files.
#define BOOST_TEST_MODULE tapegrad_ops
#include <boost/test/unit_test.hpp>

#include "ops/parallel.hpp"

// The kernels run with 2 threads unless a case sets its own count: the automatic count (ops/parallel.hpp) would
// drop to 1 on a busy machine and leave the threaded paths of the large-shape cases untested.
struct TwoThreads {
  TwoThreads() { tapegrad::ops::set_num_threads(2); }
};
BOOST_TEST_GLOBAL_FIXTURE(TwoThreads);
