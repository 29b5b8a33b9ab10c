// Boost.Test suite run by mpirun on 2 and 3 ranks (tests/distributed/CMakeLists.txt): the communicator's
// collectives, the gradient reducer, and data-parallel training against one process.
#define BOOST_TEST_MODULE tapegrad distributed
#include <boost/test/unit_test.hpp>
#include <memory>

#include "distributed/world.hpp"
#include "nn/distributed/world.hpp"

namespace {
std::unique_ptr<tapegrad::nn::World> the_world;

struct WorldFixture {
  WorldFixture() { the_world = std::make_unique<tapegrad::nn::World>(); }
  ~WorldFixture() { the_world.reset(); }
};
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(WorldFixture);

tapegrad::nn::Communicator& tapegrad::test::world() { return the_world->communicator(); }
