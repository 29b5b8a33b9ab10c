// Communicator: what a group of cooperating processes (ranks) offers the code that trains or counts across them —
// data-parallel training (lm/training/trainer.hpp) sums gradients, distributed n-gram counting exchanges counts.
// The layers above see only this interface; nn/distributed/mpi_communicator.* implements it on MPI (OpenMPI), and
// SoloCommunicator is the group of one process, where every collective is the identity. nn/distributed/world.hpp
// picks one when the program starts.
//
// Collectives are called by every rank, in the same order, with the same sizes (MPI's rule); a rank that calls them
// out of order, or not at all, hangs the others — so decisions that end a loop early are themselves agreed on
// (agree_any) rather than taken by each rank alone.
//
// Errors: a failed collective throws tapegrad::Error naming the call and the rank. A dead peer is the launcher's
// business (mpirun ends the job); a rank whose work throws should call abort(), which ends every rank, rather than
// return from main and leave the others waiting in their next collective.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace tapegrad::nn {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // 0 … size()−1
  virtual int size() const = 0;
  bool is_root() const { return rank() == 0; }
  // "rank 1 of 4 (host node07)", or "single process".
  virtual std::string describe() const = 0;

  // ---- Blocking collectives ----------------------------------------------------------------------------------
  // Element-wise sums over the ranks, in place: afterwards every rank holds the same values.
  virtual void allreduce_sum(std::span<float> data) = 0;
  virtual void allreduce_sum(std::span<double> data) = 0;
  virtual void allreduce_sum(std::span<std::int64_t> data) = 0;
  // Whether `flag` is true on at least one rank (every rank gets the same answer).
  virtual bool agree_any(bool flag) = 0;
  // Copies root's bytes to every rank (data has the same size on all).
  virtual void broadcast(std::span<std::byte> data, int root) = 0;
  void broadcast(std::span<float> data, int root) { broadcast(std::as_writable_bytes(data), root); }
  void broadcast(std::span<double> data, int root) { broadcast(std::as_writable_bytes(data), root); }
  // Every rank's bytes, of any length, indexed by rank, on every rank.
  virtual std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) = 0;
  // to_each[r] goes to rank r (to_each.size() == size()); returns what each rank sent to this one, indexed by rank.
  virtual std::vector<std::vector<std::byte>> alltoall(const std::vector<std::vector<std::byte>>& to_each) = 0;
  // Every rank's bytes on `root`, indexed by rank; an empty vector on the other ranks.
  virtual std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) = 0;
  virtual void barrier() = 0;

  // ---- Non-blocking sum, to overlap communication with computation (the gradient buckets of backward) ----------
  // Starts summing `data` in place; it must stay alive and untouched until wait_all(). Returns a handle for test().
  virtual int start_allreduce_sum(std::span<float> data) = 0;
  // Lets started sums progress (MPI moves data only inside its calls); true when `handle` and every sum started
  // before it have completed.
  virtual bool test(int handle) = 0;
  // Completes every started sum.
  virtual void wait_all() = 0;

  // Ends every rank of the job at once with this exit status (MPI_Abort): for a rank that cannot go on.
  [[noreturn]] virtual void abort(int status) = 0;
};

// The group of one process: collectives copy nothing and return at once.
class SoloCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string describe() const override { return "single process"; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void allreduce_sum(std::span<std::int64_t>) override {}
  bool agree_any(bool flag) override { return flag; }
  void broadcast(std::span<std::byte>, int root) override;
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override;
  std::vector<std::vector<std::byte>> alltoall(const std::vector<std::vector<std::byte>>& to_each) override;
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override;
  void barrier() override {}
  int start_allreduce_sum(std::span<float>) override { return 0; }
  bool test(int) override { return true; }
  void wait_all() override {}
  [[noreturn]] void abort(int status) override;
};

// A SoloCommunicator for code that was given none.
Communicator& solo_communicator();

// Helpers for byte messages of trivially copyable values.
template <class T>
std::span<const std::byte> as_message(std::span<const T> values) {
  return std::as_bytes(values);
}
template <class T>
std::vector<T> from_message(const std::vector<std::byte>& bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

}  // namespace tapegrad::nn
