// nn::GradientReducer without MPI: a fake group of two identical ranks, whose sums double every value, shows that
// each gradient value is summed exactly once — by a bucket, by the embedding's rows or whole — and that the rows'
// bookkeeping follows the sum; the tape's progress reports are checked by the buckets they start.
#include <boost/test/unit_test.hpp>
#include <memory>
#include <vector>

#include "autograd/functions.hpp"
#include "lookup_net.hpp"
#include "nn/distributed/gradient_reducer.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using autograd::Tape;
using autograd::Var;

namespace {

// Two ranks holding the same numbers: a sum is twice the value (exact in floats), the gathered messages are ours twice.
class TwinRanks final : public nn::SoloCommunicator {
 public:
  int size() const override { return 2; }
  void allreduce_sum(std::span<float> data) override {
    for (float& x : data) x *= 2;
  }
  void allreduce_sum(std::span<std::int64_t> data) override {
    for (std::int64_t& x : data) x *= 2;
  }
  int start_allreduce_sum(std::span<float> data) override {
    allreduce_sum(data);
    return started_++;
  }
  int started_ = 0;
};

// Embedding 40 × 5 (row lookups) → Linear 5 → 9 → cross-entropy; packed into one block.
class Model : public testing::LookupNet {
 public:
  Model() : LookupNet(3, 40, 5, 9) { pack_parameters(); }
  Var loss(Tape& tape, const std::vector<std::int32_t>& ids) {
    std::vector<std::int32_t> targets(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) targets[i] = ids[i] % 9;
    return LookupNet::loss(tape, ids, targets);
  }
};

// The rows whose gradient the bookkeeping holds possibly non-zero (what zero_grad, the norm and SGD visit).
std::vector<std::int32_t> rows_in_ranges(const nn::Parameter& p) {
  std::vector<std::int32_t> rows;
  const index_t cols = p.shape()[1];
  p.for_each_gradient_range([&](index_t first, index_t count) {
    for (index_t r = first / cols; r < (first + count) / cols; ++r) rows.push_back(static_cast<std::int32_t>(r));
  });
  return rows;
}

// One step's gradients, flat, with or without the reducer.
std::vector<float> gradients(Model& m, Tape& tape, const std::vector<std::int32_t>& ids, nn::GradientReducer* reducer) {
  tape.clear();
  const Var loss = m.loss(tape, ids);
  m.zero_grad();
  if (reducer) reducer->prepare(tape);
  tape.backward(loss);
  if (reducer) reducer->finish();
  const auto g = m.parameter_block()->gradients();
  return {g.begin(), g.end()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradient_reducer)

BOOST_AUTO_TEST_CASE(every_gradient_value_is_summed_once) {
  for (const std::size_t bucket_bytes : {std::size_t{4}, std::size_t{64}, std::size_t{1} << 20}) {
    Model plain, summed;
    Tape t1, t2;
    TwinRanks twins;
    nn::ReducerOptions o;
    o.bucket_bytes = bucket_bytes;
    nn::GradientReducer reducer(twins, *summed.parameter_block(), o);
    for (int step = 0; step < 3; ++step) {
      const std::vector<std::int32_t> ids = {3, 7, 3, static_cast<std::int32_t>(11 + step)};  // 3 of 40 rows
      const std::vector<float> g = gradients(plain, t1, ids, nullptr);
      const std::vector<float> g2 = gradients(summed, t2, ids, &reducer);
      BOOST_TEST_REQUIRE(g.size() == g2.size());
      for (std::size_t i = 0; i < g.size(); ++i) BOOST_TEST(g2[i] == 2 * g[i], "value " << i << ", step " << step);
      const nn::ReducerStats& s = reducer.last_step();
      BOOST_TEST(s.row_floats == 3 * 5);  // the embedding by its 3 rows
      BOOST_TEST(s.dense_floats == 5 * 9 + 9);
      BOOST_TEST(s.buckets == (bucket_bytes == 4 ? 2 : 1));  // a bucket closes at a parameter once full
      BOOST_TEST(s.buckets_overlapped == s.buckets);         // the linear layer is final before the lookup's turn
      // The rows summed are the rows the next zero_grad clears.
      BOOST_TEST(rows_in_ranges(summed.table()) ==
                 std::vector<std::int32_t>({3, 7, static_cast<std::int32_t>(11 + step)}));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_table_mostly_touched_is_summed_whole) {
  Model plain, summed;
  Tape t1, t2;
  TwinRanks twins;
  nn::GradientReducer reducer(twins, *summed.parameter_block());
  std::vector<std::int32_t> ids;
  for (std::int32_t r = 0; r < 30; ++r) ids.push_back(r);  // 30 of 40 rows: over half, the whole table is cheaper
  const std::vector<float> g = gradients(plain, t1, ids, nullptr);
  const std::vector<float> g2 = gradients(summed, t2, ids, &reducer);
  for (std::size_t i = 0; i < g.size(); ++i) BOOST_TEST(g2[i] == 2 * g[i]);
  BOOST_TEST(reducer.last_step().row_floats == 0);
  BOOST_TEST(reducer.last_step().dense_floats == 40 * 5 + 5 * 9 + 9);
}

BOOST_AUTO_TEST_CASE(finish_needs_prepare_and_a_current_block) {
  Model m;
  TwinRanks twins;
  nn::GradientReducer reducer(twins, *m.parameter_block());
  BOOST_CHECK_THROW(reducer.finish(), UsageError);
  nn::ReducerOptions none;
  none.bucket_bytes = 0;
  BOOST_CHECK_THROW(nn::GradientReducer(twins, *m.parameter_block(), none), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
