// The multi-rank tests' process group: the World main.cpp makes before the first test and ends after the last
// (MPI_Init … MPI_Finalize once per process). Every rank runs every test case, in the same order, so the
// collectives inside them match; a rank that fails a check goes on, and a rank stuck in a collective is ended by
// the CTest timeout.
#pragma once

#include "nn/distributed/communicator.hpp"

namespace tapegrad::test {

nn::Communicator& world();

}  // namespace tapegrad::test
