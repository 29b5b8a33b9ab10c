// MpiCommunicator: the Communicator over MPI_COMM_WORLD (OpenMPI; any MPI-3 library would do). Made by World
// (world.hpp), which initialises MPI first and finalises it last; compiled only into builds with MPI.
//
// Errors come back as return codes (MPI_ERRORS_RETURN) and are thrown as tapegrad::Error naming the call, the rank
// and MPI's message. Counts above MPI's int range are sent in pieces.
#pragma once

#include <mpi.h>

#include <vector>

#include "nn/distributed/communicator.hpp"

namespace tapegrad::nn {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator();  // initialises MPI
  ~MpiCommunicator() override;  // completes pending sums, finalises MPI

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string describe() const override;

  void allreduce_sum(std::span<float> data) override;
  void allreduce_sum(std::span<double> data) override;
  void allreduce_sum(std::span<std::int64_t> data) override;
  bool agree_any(bool flag) override;
  void broadcast(std::span<std::byte> data, int root) override;
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override;
  std::vector<std::vector<std::byte>> alltoall(const std::vector<std::vector<std::byte>>& to_each) override;
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override;
  void barrier() override;

  int start_allreduce_sum(std::span<float> data) override;
  bool test(int handle) override;
  void wait_all() override;

  [[noreturn]] void abort(int status) override;

  void check(int code, const char* call) const;  // throws Error naming the call and the rank unless MPI_SUCCESS

 private:
  int rank_ = 0, size_ = 1;
  std::string host_;
  std::vector<MPI_Request> requests_;  // started sums, by handle; MPI_REQUEST_NULL once complete
};

}  // namespace tapegrad::nn
