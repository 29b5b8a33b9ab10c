// Sum and mean over n contiguous floats. The array is cut into fixed blocks of kSumBlock elements (whatever the thread
// count); each block is summed in float with four vector accumulators, and the block sums are added in block order
// in double. Threads only decide who computes which block sum, so the result is the same for any thread count.
//
// The sum of squares over the runs of a vector kept in pieces (reduce.hpp gives its summation tree): the same idea
// with the blocks placed by the elements' positions in the whole vector rather than in one array.
#include "ops/reduce.hpp"

#include <algorithm>
#include <limits>
#include <string>
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

constexpr index_t kSquareLanes = 8;

// lane[p mod 8] += x_p² for the `len` positions p = pos, pos + 1, … whose values start at x: the scalar head up to a
// multiple of 8, then whole groups of 8 (one position per lane: the compiler vectorizes the inner loop, and the
// bits do not depend on whether it does), then the tail.
void add_squares(double* lane, const float* x, index_t pos, index_t len) {
  index_t i = 0;
  for (; i < len && (pos + i) % kSquareLanes != 0; ++i) lane[(pos + i) % kSquareLanes] += double{x[i]} * double{x[i]};
  for (; i + kSquareLanes <= len; i += kSquareLanes)
    for (index_t j = 0; j < kSquareLanes; ++j) lane[j] += double{x[i + j]} * double{x[i + j]};
  for (; i < len; ++i) lane[(pos + i) % kSquareLanes] += double{x[i]} * double{x[i]};
}

double lane_total(const double* lane) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Whole chunks computed together (in parallel), their sums then added in order: 2 M floats per batch.
constexpr index_t kChunkBatch = 64;

}  // namespace

void SumOfSquares::close_chunk() {
  if (open_chunk_ < 0) return;
  closed_ += lane_total(lanes_);
  for (double& l : lanes_) l = 0.0;
  open_chunk_ = -1;
}

double SumOfSquares::total() const {
  if (open_chunk_ < 0) return closed_;
  return closed_ + lane_total(lanes_);
}

void SumOfSquares::add(const float* x, index_t offset, index_t n) {
  std::string problem;
  if (offset < 0 || n < 0)
    problem = "a negative offset or length";
  else if (n > std::numeric_limits<index_t>::max() - offset)
    problem = "an end past the largest index";
  else if (offset < end_)
    problem = "an offset before the end of the previous run (" + std::to_string(end_) + ")";
  else if (n > 0 && x == nullptr)
    problem = "no data";
  if (!problem.empty())
    throw UsageError("sum of squares: the run at offset " + std::to_string(offset) + " of " + std::to_string(n) +
                     " elements has " + problem);
  if (n == 0) return;
  end_ = offset + n;
  index_t pos = offset;
  while (pos < end_) {
    const index_t chunk = pos / kSquaresChunk, into_chunk = pos % kSquaresChunk;
    const index_t whole = into_chunk == 0 ? (end_ - pos) / kSquaresChunk : 0;
    if (whole == 0) {  // part of a chunk: into the open chunk's lanes
      if (chunk != open_chunk_) {
        close_chunk();
        open_chunk_ = chunk;
      }
      const index_t len = std::min(end_ - pos, kSquaresChunk - into_chunk);  // (no end of chunk computed: may overflow)
      add_squares(lanes_, x + (pos - offset), pos, len);
      pos += len;
      continue;
    }
    close_chunk();  // an earlier chunk (this one starts at pos, so nothing of it was added before)
    const index_t batch = std::min(whole, kChunkBatch);
    double sums[kChunkBatch];
    const float* first = x + (pos - offset);
    const int threads = batch > 1 ? threads_for(batch * kSquaresChunk) : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (index_t c = 0; c < batch; ++c) {
      double lane[kSquareLanes] = {};
      add_squares(lane, first + c * kSquaresChunk, pos + c * kSquaresChunk, kSquaresChunk);
      sums[c] = lane_total(lane);
    }
    for (index_t c = 0; c < batch; ++c) closed_ += sums[c];
    pos += batch * kSquaresChunk;
  }
}

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
