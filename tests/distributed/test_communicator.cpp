// The collectives of the MPI communicator, each with rank-dependent data whose result is known in closed form.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

#include "distributed/world.hpp"

namespace tapegrad::test {

BOOST_AUTO_TEST_SUITE(communicator)

BOOST_AUTO_TEST_CASE(runs_on_several_ranks) {
  nn::Communicator& c = world();
  BOOST_TEST(c.size() >= 2);  // started by mpirun: a single process would test nothing here
  BOOST_TEST(c.rank() >= 0);
  BOOST_TEST(c.rank() < c.size());
  BOOST_TEST(c.describe().find("of " + std::to_string(c.size())) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sums_floats_doubles_and_integers) {
  nn::Communicator& c = world();
  const int n = c.size(), r = c.rank();
  std::vector<float> f(1001);  // odd, and more than one cache line
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>((r + 1) * static_cast<int>(i % 7));
  c.allreduce_sum(std::span<float>(f));
  for (std::size_t i = 0; i < f.size(); ++i)
    BOOST_TEST(f[i] == static_cast<float>(n * (n + 1) / 2 * static_cast<int>(i % 7)));
  double d[2] = {0.5 * r, 1.0};
  c.allreduce_sum(std::span<double>(d));
  BOOST_TEST(d[0] == 0.25 * n * (n - 1));
  BOOST_TEST(d[1] == n);
  std::int64_t big[1] = {std::int64_t{1} << 40};
  c.allreduce_sum(std::span<std::int64_t>(big));
  BOOST_TEST(big[0] == n * (std::int64_t{1} << 40));
}

BOOST_AUTO_TEST_CASE(agrees_when_any_rank_says_yes) {
  nn::Communicator& c = world();
  BOOST_TEST(!c.agree_any(false));
  BOOST_TEST(c.agree_any(c.rank() == c.size() - 1));
  BOOST_TEST(c.agree_any(true));
}

BOOST_AUTO_TEST_CASE(broadcasts_from_any_root) {
  nn::Communicator& c = world();
  for (int root = 0; root < c.size(); ++root) {
    std::vector<float> v(17, static_cast<float>(c.rank()));
    c.broadcast(std::span<float>(v), root);
    for (float x : v) BOOST_TEST(x == static_cast<float>(root));
  }
}

BOOST_AUTO_TEST_CASE(gathers_messages_of_different_lengths) {
  nn::Communicator& c = world();
  const int r = c.rank();
  std::vector<std::int32_t> mine(static_cast<std::size_t>(r), r);  // rank r sends r copies of r (rank 0: nothing)
  const auto all = c.allgather(nn::as_message(std::span<const std::int32_t>(mine)));
  BOOST_TEST(all.size() == static_cast<std::size_t>(c.size()));
  for (int k = 0; k < c.size(); ++k)
    BOOST_TEST(nn::from_message<std::int32_t>(all[static_cast<std::size_t>(k)]) ==
               std::vector<std::int32_t>(static_cast<std::size_t>(k), k));
  const auto at_root = c.gather(nn::as_message(std::span<const std::int32_t>(mine)), 0);
  BOOST_TEST(at_root.size() == (c.is_root() ? static_cast<std::size_t>(c.size()) : 0u));
  for (std::size_t k = 0; k < at_root.size(); ++k)
    BOOST_TEST(nn::from_message<std::int32_t>(at_root[k]).size() == k);
}

BOOST_AUTO_TEST_CASE(exchanges_a_message_with_every_rank) {
  nn::Communicator& c = world();
  const int n = c.size(), r = c.rank();
  std::vector<std::vector<std::byte>> out(static_cast<std::size_t>(n));
  for (int to = 0; to < n; ++to) {  // to rank `to`: (to + 1) values 100·r + to
    std::vector<std::int32_t> v(static_cast<std::size_t>(to + 1), 100 * r + to);
    const auto bytes = nn::as_message(std::span<const std::int32_t>(v));
    out[static_cast<std::size_t>(to)].assign(bytes.begin(), bytes.end());
  }
  const auto in = c.alltoall(out);
  for (int from = 0; from < n; ++from)
    BOOST_TEST(nn::from_message<std::int32_t>(in[static_cast<std::size_t>(from)]) ==
               std::vector<std::int32_t>(static_cast<std::size_t>(r + 1), 100 * from + r));
}

BOOST_AUTO_TEST_CASE(non_blocking_sums_complete_in_order) {
  nn::Communicator& c = world();
  const int n = c.size();
  std::vector<float> a(5000, 1.0f), b(3, 2.0f);
  const int ha = c.start_allreduce_sum(std::span<float>(a));
  const int hb = c.start_allreduce_sum(std::span<float>(b));
  while (!c.test(hb)) {
  }
  BOOST_TEST(c.test(ha));  // testing hb drove ha, started first
  c.wait_all();
  for (float x : a) BOOST_TEST(x == static_cast<float>(n));
  for (float x : b) BOOST_TEST(x == static_cast<float>(2 * n));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace tapegrad::test
