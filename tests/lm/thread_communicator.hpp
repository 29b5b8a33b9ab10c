// ThreadCommunicator: an in-process nn::Communicator for tests — N "ranks" are N threads of one process exchanging
// messages through a shared mailbox, so code written for several ranks runs without MPI (and under the sanitizers).
// Every collective is an alltoall: each rank posts what it sends into mailbox[from][to], all meet at a barrier, each
// reads mailbox[·][self], and all meet again before the mailbox is reused. Blocking collectives only.
//
// Faults, for tests that show a check can fail: at this rank's k-th call of alltoall (0-based; the other collectives
// are not counted), drop the message to one rank, or replace it with a copy of the message meant for another rank
// (the same data reaching two owners).
#pragma once

#include <barrier>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nn/distributed/communicator.hpp"

namespace tapegrad::lm::test {

struct Fault {
  enum Kind { kNone, kDrop, kDuplicate } kind = kNone;
  int call = 0;     // which alltoall of the faulty rank
  int from = 0;     // the faulty rank
  int to = 1;       // whose message is dropped or replaced
  int copy_of = 0;  // kDuplicate: `to` receives the message meant for this rank
};

class ThreadGroup {
 public:
  explicit ThreadGroup(int ranks) : ranks_(ranks), barrier_(ranks), mailbox_(static_cast<std::size_t>(ranks)) {}
  int ranks() const { return ranks_; }

  std::vector<std::vector<std::byte>> exchange(int rank, std::vector<std::vector<std::byte>> to_each) {
    mailbox_[static_cast<std::size_t>(rank)] = std::move(to_each);
    barrier_.arrive_and_wait();
    std::vector<std::vector<std::byte>> got(static_cast<std::size_t>(ranks_));
    for (int r = 0; r < ranks_; ++r) {
      const auto& posted = mailbox_[static_cast<std::size_t>(r)];  // empty from a rank that left before posting
      if (posted.size() > static_cast<std::size_t>(rank))
        got[static_cast<std::size_t>(r)] = posted[static_cast<std::size_t>(rank)];
    }
    barrier_.arrive_and_wait();
    return got;
  }
  // A rank that threw leaves the group, so the others are not left waiting at the barrier; from then on they receive
  // nothing from it (an empty message), as from a rank that sent nothing.
  void leave(int rank) {
    mailbox_[static_cast<std::size_t>(rank)].clear();
    barrier_.arrive_and_drop();
  }

 private:
  int ranks_;
  std::barrier<> barrier_;
  std::vector<std::vector<std::vector<std::byte>>> mailbox_;  // [from][to]
};

class ThreadCommunicator final : public nn::Communicator {
 public:
  ThreadCommunicator(ThreadGroup& group, int rank, Fault fault = {}) : group_(group), rank_(rank), fault_(fault) {}

  int rank() const override { return rank_; }
  int size() const override { return group_.ranks(); }
  std::string describe() const override { return "thread rank " + std::to_string(rank_); }

  void allreduce_sum(std::span<float> data) override { sum(data); }
  void allreduce_sum(std::span<double> data) override { sum(data); }
  void allreduce_sum(std::span<std::int64_t> data) override { sum(data); }
  bool agree_any(bool flag) override {
    std::int64_t v = flag ? 1 : 0;
    sum(std::span<std::int64_t>(&v, 1));
    return v > 0;
  }
  void broadcast(std::span<std::byte> data, int root) override {
    const auto all = allgather(data);
    std::copy(all[static_cast<std::size_t>(root)].begin(), all[static_cast<std::size_t>(root)].end(), data.begin());
  }
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte> mine) override {
    return group_.exchange(rank_,
                           std::vector<std::vector<std::byte>>(static_cast<std::size_t>(size()),
                                                               std::vector<std::byte>(mine.begin(), mine.end())));
  }
  std::vector<std::vector<std::byte>> alltoall(const std::vector<std::vector<std::byte>>& to_each) override {
    if (static_cast<int>(to_each.size()) != size()) throw std::logic_error("alltoall: one message per rank");
    std::vector<std::vector<std::byte>> out = to_each;
    if (fault_.kind != Fault::kNone && rank_ == fault_.from && calls_ == fault_.call) {
      if (fault_.kind == Fault::kDrop) out[static_cast<std::size_t>(fault_.to)].clear();
      if (fault_.kind == Fault::kDuplicate)
        out[static_cast<std::size_t>(fault_.to)] = to_each[static_cast<std::size_t>(fault_.copy_of)];
    }
    ++calls_;
    return group_.exchange(rank_, std::move(out));
  }
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override {
    std::vector<std::vector<std::byte>> to_each(static_cast<std::size_t>(size()));
    to_each[static_cast<std::size_t>(root)].assign(mine.begin(), mine.end());
    auto got = group_.exchange(rank_, std::move(to_each));
    if (rank_ != root) got.clear();
    return got;
  }
  void barrier() override {
    group_.exchange(rank_, std::vector<std::vector<std::byte>>(static_cast<std::size_t>(size())));
  }
  int start_allreduce_sum(std::span<float>) override { throw std::logic_error("ThreadCommunicator: not used"); }
  bool test(int) override { throw std::logic_error("ThreadCommunicator: not used"); }
  void wait_all() override { throw std::logic_error("ThreadCommunicator: not used"); }
  [[noreturn]] void abort(int) override { std::abort(); }

 private:
  template <class T>
  void sum(std::span<T> data) {
    const auto all = allgather(std::as_bytes(data));
    std::fill(data.begin(), data.end(), T{0});
    for (const auto& bytes : all) {  // in rank order, so every rank adds in the same order
      const std::vector<T> v = nn::from_message<T>(bytes);
      if (v.size() != data.size()) continue;  // from a rank that left (threw): under MPI the job would have ended
      for (std::size_t i = 0; i < data.size(); ++i) data[i] += v[i];
    }
  }

  ThreadGroup& group_;
  int rank_;
  Fault fault_;
  int calls_ = 0;
};

// Runs body(comm) on `ranks` threads, one ThreadCommunicator each; after every thread has finished, rethrows the
// exception a rank threw first (the cause; the others may be its consequences).
inline void run_ranks(int ranks, const std::function<void(nn::Communicator&)>& body, Fault fault = {}) {
  ThreadGroup group(ranks);
  std::mutex m;
  std::exception_ptr first;
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(group, r, fault);
      try {
        body(comm);
      } catch (...) {
        {
          std::lock_guard<std::mutex> lock(m);
          if (!first) first = std::current_exception();
        }
        group.leave(r);
      }
    });
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace tapegrad::lm::test
