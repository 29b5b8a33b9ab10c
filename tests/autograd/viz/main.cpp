// Test module of the diagram library (autograd/viz/): the DOT export read back with Graphviz, and rendering.
#define BOOST_TEST_MODULE tapegrad_viz
#include <boost/test/unit_test.hpp>
