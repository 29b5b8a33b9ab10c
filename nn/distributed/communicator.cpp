// SoloCommunicator: the collectives of a group of one process.
#include "nn/distributed/communicator.hpp"

#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
void check_root(int root) {
  if (root != 0) throw UsageError("collective with root " + std::to_string(root) + " in a single process (rank 0 only)");
}
}  // namespace

void SoloCommunicator::broadcast(std::span<std::byte>, int root) { check_root(root); }

std::vector<std::vector<std::byte>> SoloCommunicator::allgather(std::span<const std::byte> mine) {
  return {std::vector<std::byte>(mine.begin(), mine.end())};
}

std::vector<std::vector<std::byte>> SoloCommunicator::alltoall(const std::vector<std::vector<std::byte>>& to_each) {
  if (to_each.size() != 1)
    throw UsageError("alltoall: " + std::to_string(to_each.size()) + " messages for a group of 1 process");
  return to_each;
}

std::vector<std::vector<std::byte>> SoloCommunicator::gather(std::span<const std::byte> mine, int root) {
  check_root(root);
  return {std::vector<std::byte>(mine.begin(), mine.end())};
}

// Library code does not end the process: in a group of one there is nobody else to stop, so the caller's own error
// handling takes over.
void SoloCommunicator::abort(int status) {
  throw Error("abort with status " + std::to_string(status) + " in a single process");
}

Communicator& solo_communicator() {
  static SoloCommunicator solo;
  return solo;
}

}  // namespace tapegrad::nn
