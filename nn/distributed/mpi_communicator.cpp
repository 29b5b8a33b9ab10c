// MpiCommunicator: the collectives on MPI_COMM_WORLD.
#include "nn/distributed/mpi_communicator.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
// MPI counts are ints: larger spans go in pieces of at most this many elements.
constexpr std::size_t kMaxCount = std::size_t{1} << 30;

int as_count(std::size_t n, const char* call) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw Error(std::string(call) + ": a message of " + std::to_string(n) + " bytes is larger than MPI's int count");
  return static_cast<int>(n);
}
}  // namespace

MpiCommunicator::MpiCommunicator() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw Error("MPI_Init_thread failed: MPI could not start (is this process started by mpirun or srun?)");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(name, &length);
  host_.assign(name, static_cast<std::size_t>(std::max(length, 0)));
}

MpiCommunicator::~MpiCommunicator() {
  for (MPI_Request& r : requests_)
    if (r != MPI_REQUEST_NULL) MPI_Wait(&r, MPI_STATUS_IGNORE);
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

std::string MpiCommunicator::describe() const {
  return "rank " + std::to_string(rank_) + " of " + std::to_string(size_) + " (host " + host_ + ")";
}

void MpiCommunicator::check(int code, const char* call) const {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(call) + " failed on " + describe() + ": " + std::string(text, std::max(length, 0)));
}

namespace {
template <class T>
void sum_in_place(std::span<T> data, MPI_Datatype type, const MpiCommunicator& self) {
  for (std::size_t i = 0; i < data.size(); i += kMaxCount)
    self.check(MPI_Allreduce(MPI_IN_PLACE, data.data() + i, static_cast<int>(std::min(kMaxCount, data.size() - i)),
                             type, MPI_SUM, MPI_COMM_WORLD),
               "MPI_Allreduce");
}
}  // namespace

void MpiCommunicator::allreduce_sum(std::span<float> data) { sum_in_place(data, MPI_FLOAT, *this); }
void MpiCommunicator::allreduce_sum(std::span<double> data) { sum_in_place(data, MPI_DOUBLE, *this); }
void MpiCommunicator::allreduce_sum(std::span<std::int64_t> data) { sum_in_place(data, MPI_INT64_T, *this); }

bool MpiCommunicator::agree_any(bool flag) {
  int value = flag ? 1 : 0;
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return value != 0;
}

void MpiCommunicator::broadcast(std::span<std::byte> data, int root) {
  for (std::size_t i = 0; i < data.size(); i += kMaxCount)
    check(MPI_Bcast(data.data() + i, static_cast<int>(std::min(kMaxCount, data.size() - i)), MPI_BYTE, root,
                    MPI_COMM_WORLD),
          "MPI_Bcast");
}

std::vector<std::vector<std::byte>> MpiCommunicator::allgather(std::span<const std::byte> mine) {
  const int n = as_count(mine.size(), "MPI_Allgatherv");
  std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
  check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  std::size_t total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[static_cast<std::size_t>(r)] = as_count(total, "MPI_Allgatherv");
    total += static_cast<std::size_t>(counts[static_cast<std::size_t>(r)]);
  }
  as_count(total, "MPI_Allgatherv");
  std::vector<std::byte> all(total);
  check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  std::vector<std::vector<std::byte>> out(static_cast<std::size_t>(size_));
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
  return out;
}

std::vector<std::vector<std::byte>> MpiCommunicator::alltoall(const std::vector<std::vector<std::byte>>& to_each) {
  if (to_each.size() != static_cast<std::size_t>(size_))
    throw UsageError("alltoall: " + std::to_string(to_each.size()) + " messages for a group of " +
                     std::to_string(size_) + " ranks");
  const auto n = static_cast<std::size_t>(size_);
  std::vector<int> send_counts(n), send_offsets(n), receive_counts(n), receive_offsets(n);
  std::vector<std::byte> sent;
  for (std::size_t r = 0; r < n; ++r) {
    send_offsets[r] = as_count(sent.size(), "MPI_Alltoallv");
    send_counts[r] = as_count(to_each[r].size(), "MPI_Alltoallv");
    sent.insert(sent.end(), to_each[r].begin(), to_each[r].end());
  }
  as_count(sent.size(), "MPI_Alltoallv");
  check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, receive_counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "MPI_Alltoall");
  std::size_t total = 0;
  for (std::size_t r = 0; r < n; ++r) {
    receive_offsets[r] = as_count(total, "MPI_Alltoallv");
    total += static_cast<std::size_t>(receive_counts[r]);
  }
  as_count(total, "MPI_Alltoallv");
  std::vector<std::byte> received(total);
  check(MPI_Alltoallv(sent.data(), send_counts.data(), send_offsets.data(), MPI_BYTE, received.data(),
                      receive_counts.data(), receive_offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Alltoallv");
  std::vector<std::vector<std::byte>> out(n);
  for (std::size_t r = 0; r < n; ++r)
    out[r].assign(received.begin() + receive_offsets[r], received.begin() + receive_offsets[r] + receive_counts[r]);
  return out;
}

std::vector<std::vector<std::byte>> MpiCommunicator::gather(std::span<const std::byte> mine, int root) {
  const int n = as_count(mine.size(), "MPI_Gatherv");
  const auto ranks = static_cast<std::size_t>(size_);
  std::vector<int> counts(rank_ == root ? ranks : 0), offsets(counts.size());
  check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, MPI_COMM_WORLD), "MPI_Gather");
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = as_count(total, "MPI_Gatherv");
    total += static_cast<std::size_t>(counts[r]);
  }
  std::vector<std::byte> all(total);
  check(MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE, root,
                    MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::vector<std::byte>> out(counts.size());
  for (std::size_t r = 0; r < out.size(); ++r)
    out[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
  return out;
}

void MpiCommunicator::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

int MpiCommunicator::start_allreduce_sum(std::span<float> data) {
  for (std::size_t i = 0; i < data.size(); i += kMaxCount) {
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(MPI_IN_PLACE, data.data() + i, static_cast<int>(std::min(kMaxCount, data.size() - i)),
                         MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request),
          "MPI_Iallreduce");
    requests_.push_back(request);
  }
  return static_cast<int>(requests_.size()) - 1;  // the last piece: the sum is done when all its pieces are
}

bool MpiCommunicator::test(int handle) {
  if (handle < 0 || static_cast<std::size_t>(handle) >= requests_.size())
    throw UsageError("Communicator::test: no started sum has handle " + std::to_string(handle));
  // Testing every pending request drives them all forward, in order.
  bool done = true;
  for (std::size_t i = 0; i <= static_cast<std::size_t>(handle); ++i) {
    if (requests_[i] == MPI_REQUEST_NULL) continue;
    int flag = 0;
    check(MPI_Test(&requests_[i], &flag, MPI_STATUS_IGNORE), "MPI_Test");
    if (!flag) done = false;
  }
  return done;
}

void MpiCommunicator::wait_all() {
  if (!requests_.empty())
    check(MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  requests_.clear();
}

void MpiCommunicator::abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] true if it ever did
}

}  // namespace tapegrad::nn
