// Reductions. Sums run over fixed blocks whose partial sums are combined in order, so the result does not depend
// on the thread count.
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

float sum(index_t n, const float* x);   // Σ x   (0 for n = 0)
float mean(index_t n, const float* x);  // Σ x / n   (throws UsageError for n = 0)

// Σ x_p² over a long vector that is stored in pieces (a model's gradients, parameter by parameter or in one flat
// block), fed run by run: add(x, offset, n) says that the n floats at x are the vector's elements offset, offset + 1,
// …, offset + n − 1. Runs come in increasing offset order without overlapping; positions no run covers count as
// zeros. The sum is in double (each square is exact there: 24-bit mantissas give 48-bit products), and the order of
// its additions depends on the positions alone:
//   - positions are cut into chunks of kSquaresChunk;
//   - in a chunk, position p is added to lane p mod 8, each lane in increasing p, from 0;
//   - a chunk's sum is ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
//   - the total adds the chunk sums in chunk order, from 0.
// So the bits are the same for any thread count (threads split a run's whole chunks) and for any cut of the same
// values into runs: a model's gradients give the same norm packed in one block or parameter by parameter, with or
// without the stretches known to be zero. Eight independent lanes let the additions overlap (one serial chain waits
// 3–4 cycles per value). Allocates nothing (a training step must not).
//
//   ops::SumOfSquares squares;
//   for (const Piece& p : pieces) squares.add(p.data, p.offset, p.size);
//   const double norm = std::sqrt(squares.total());
inline constexpr index_t kSquaresChunk = index_t{1} << 15;

class SumOfSquares {
 public:
  // Throws UsageError (naming the run by its offset and length) for a negative offset or length, an end past the
  // largest index, an offset before the end of the previous run, or null x with n > 0.
  void add(const float* x, index_t offset, index_t n);
  double total() const;  // the sum so far (the open chunk's lanes included)

 private:
  index_t end_ = 0;          // where the previous run ended
  index_t open_chunk_ = -1;  // the chunk whose lanes hold a partial sum, or −1
  double lanes_[8] = {};
  double closed_ = 0.0;  // Σ of the chunk sums before the open chunk
  void close_chunk();
};

}  // namespace tapegrad::ops
