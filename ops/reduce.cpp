// Sum and mean over n contiguous floats. The array is cut into fixed blocks of kSumBlock elements (whatever the thread
// count); each block is summed in float with four vector accumulators, and the block sums are added in block order
// in double. Threads only decide who computes which block sum, so the result is the same for any thread count.
#include "ops/reduce.hpp"

#include <algorithm>
#include <vector>

#include "ops/error.hpp"
#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

constexpr index_t kSumBlock = 4096;
constexpr index_t kLanes = 4;  // independent vector accumulators (hides the add latency)

// Σ x[0, len): lanes of four accumulators, combined as (a0 + a1) + (a2 + a3), then the horizontal sum, then the tail.
float block_sum(index_t len, const float* x) {
  vfloat acc[kLanes];
  for (auto& a : acc) a = simd::broadcast(0.0f);
  index_t i = 0;
  for (; i + kLanes * simd::kWidth <= len; i += kLanes * simd::kWidth)
    for (index_t j = 0; j < kLanes; ++j) acc[j] = acc[j] + simd::load(x + i + j * simd::kWidth);
  vfloat v = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  float tail = 0.0f;
  const float* rest = x + i;
  simd::for_each(
      len - i, [&](index_t j) { v = v + simd::load(rest + j); }, [&](index_t j) { tail += rest[j]; });
  return simd::hsum(v) + tail;
}

float block_sum_at(index_t n, const float* x, index_t block) {
  const index_t lo = block * kSumBlock;
  return block_sum(std::min(kSumBlock, n - lo), x + lo);
}

}  // namespace

float sum(index_t n, const float* x) {
  const index_t blocks = (n + kSumBlock - 1) / kSumBlock;
  double total = 0.0;
  const int threads = threads_for(n);
  if (threads == 1) {
    for (index_t b = 0; b < blocks; ++b) total += block_sum_at(n, x, b);
    return static_cast<float>(total);
  }
  std::vector<float> partial(static_cast<std::size_t>(blocks));
#pragma omp parallel for schedule(static) num_threads(threads)
  for (index_t b = 0; b < blocks; ++b) partial[static_cast<std::size_t>(b)] = block_sum_at(n, x, b);
  for (float p : partial) total += p;  // the same additions, in the same order, as the serial branch
  return static_cast<float>(total);
}

float mean(index_t n, const float* x) {
  if (n == 0) throw UsageError("mean: the mean of 0 elements is undefined");
  return sum(n, x) / static_cast<float>(n);
}

}  // namespace tapegrad::ops
