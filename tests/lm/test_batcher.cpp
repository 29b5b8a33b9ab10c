// StreamBatcher and WindowBatcher on a stream whose ids are their positions, so every expected id is computed
// from the definitions in lm/text/batcher.hpp.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <numeric>
#include <set>
#include <vector>

#include "lm/text/batcher.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {
std::vector<std::int32_t> positions(std::int32_t n) {
  std::vector<std::int32_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(batcher)

// 26 tokens, B = 3 → L = 8 (tokens 24, 25 dropped), streams start at 0, 8, 16; T = 3 → windows of 3, 3, 1 steps
// (7 predictions per stream).
BOOST_AUTO_TEST_CASE(stream_windows_follow_batchify) {
  const auto tokens = positions(26);
  StreamBatcher b(tokens, 3, 3);
  BOOST_TEST(b.stream_length() == 8);
  BOOST_TEST(b.windows() == 3);
  BOOST_TEST(b.predicted_tokens() == 21);
  StreamWindow w;
  const index_t expected_steps[] = {3, 3, 1};
  index_t predicted = 0;
  for (index_t i = 0; i < 3; ++i) {
    b.get(i, w);
    BOOST_TEST(w.steps == expected_steps[i]);
    for (index_t t = 0; t < w.steps; ++t)
      for (index_t s = 0; s < 3; ++s) {
        const std::int32_t want = static_cast<std::int32_t>(s * 8 + i * 3 + t);
        BOOST_TEST(w.inputs[static_cast<std::size_t>(t * 3 + s)] == want);
        BOOST_TEST(w.targets[static_cast<std::size_t>(t * 3 + s)] == want + 1);
        ++predicted;
      }
  }
  BOOST_TEST(predicted == b.predicted_tokens());
  BOOST_CHECK_THROW(b.get(3, w), UsageError);
  BOOST_CHECK_THROW(StreamBatcher(positions(5), 3, 2), UsageError);  // L = 1: no target
  BOOST_CHECK_THROW(StreamBatcher(tokens, 0, 2), UsageError);
}

// Every token is a target exactly once per epoch; its context is the preceding tokens, padded before the start.
BOOST_AUTO_TEST_CASE(window_examples_cover_the_stream) {
  const auto tokens = positions(23);
  WindowBatcher b(tokens, 4, 5, -1);
  BOOST_TEST(b.batches() == 5);
  for (bool shuffle : {false, true}) {
    b.start_epoch(shuffle, 7, 0);
    std::vector<std::int32_t> ctx, tgt, seen;
    for (index_t i = 0; i < b.batches(); ++i) {
      const index_t n = b.get(i, ctx, tgt);
      BOOST_TEST(n == (i < 4 ? 5 : 3));
      for (index_t e = 0; e < n; ++e) {
        const std::int32_t t = tgt[static_cast<std::size_t>(e)];
        seen.push_back(t);
        for (index_t c = 0; c < 4; ++c) {
          const std::int32_t pos = t - 4 + static_cast<std::int32_t>(c);
          BOOST_TEST(ctx[static_cast<std::size_t>(e * 4 + c)] == (pos < 0 ? -1 : pos));
        }
      }
    }
    std::vector<std::int32_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    BOOST_TEST(sorted == tokens, boost::test_tools::per_element());
    BOOST_TEST(std::is_sorted(seen.begin(), seen.end()) == !shuffle);
  }
}

BOOST_AUTO_TEST_CASE(window_shuffle_depends_on_seed_and_epoch_only) {
  const auto tokens = positions(100);
  const auto order = [&](std::uint64_t seed, std::int64_t epoch) {
    WindowBatcher b(tokens, 2, 100, 0);
    b.start_epoch(true, seed, epoch);
    std::vector<std::int32_t> ctx, tgt;
    b.get(0, ctx, tgt);
    return tgt;
  };
  BOOST_TEST(order(1, 0) == order(1, 0));
  BOOST_TEST(order(1, 0) != order(1, 1));
  BOOST_TEST(order(1, 0) != order(2, 0));
}

// One rank's share of the batch (data-parallel): streams [first, first + count) of B, whose windows are those columns
// of the whole batch's windows; a range outside the B streams is refused.
BOOST_AUTO_TEST_CASE(a_range_of_streams_gives_those_columns) {
  const auto tokens = positions(50);
  const StreamBatcher all(tokens, 5, 4);
  const StreamBatcher part(tokens, 5, 4, 2, 2);  // streams 2 and 3
  BOOST_TEST(part.batch() == 2);
  BOOST_TEST(part.stream_length() == all.stream_length());
  BOOST_TEST_REQUIRE(part.windows() == all.windows());
  StreamWindow w_all, w_part;
  for (index_t w = 0; w < all.windows(); ++w) {
    all.get(w, w_all);
    part.get(w, w_part);
    BOOST_TEST_REQUIRE(w_part.steps == w_all.steps);
    for (index_t t = 0; t < w_all.steps; ++t)
      for (index_t b = 0; b < 2; ++b) {
        BOOST_TEST(w_part.inputs[static_cast<std::size_t>(t * 2 + b)] ==
                   w_all.inputs[static_cast<std::size_t>(t * 5 + 2 + b)]);
        BOOST_TEST(w_part.targets[static_cast<std::size_t>(t * 2 + b)] ==
                   w_all.targets[static_cast<std::size_t>(t * 5 + 2 + b)]);
      }
  }
  BOOST_CHECK_THROW(StreamBatcher(tokens, 5, 4, 4, 2), UsageError);
  BOOST_CHECK_THROW(StreamBatcher(tokens, 5, 4, 0, 0), UsageError);
  BOOST_CHECK_THROW(StreamBatcher(tokens, 5, 4, -1, 1), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
