// A batch of sequences of different lengths laid out for the recurrent layers: time-major ids (T × B) padded to the
// longest sequence, each sequence's length, and the rows of its real steps. Row t·B + b of any T × B × … tensor is
// step t of sequence b; only t < lengths[b] is real (nn/recurrent.hpp says how a padded step is kept inert).
//
//   sequences   "the cat sat" (3), "a dog" (2)          T = 3, B = 2, pad id p
//   ids         t=0: the a   t=1: cat dog   t=2: sat p
//   lengths     3 2
//   real_rows   0 2 4 | 1 3      (sequence by sequence, each in time order: the order of per-token targets)
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ops/shape.hpp"

namespace tapegrad::lm {

struct PaddedBatch {
  index_t steps = 0;                     // T: the longest sequence
  index_t size = 0;                      // B: sequences in the batch
  std::vector<std::int32_t> ids;         // T × B, time-major; pad_id at padded steps
  std::vector<std::int32_t> lengths;     // B, each in [1, T]
  std::vector<std::int32_t> real_rows;   // Σ lengths rows t·B + b, sequence by sequence, in time order
  std::vector<std::size_t> items;        // B: which item of the data set each column holds

  index_t rows() const { return steps * size; }
  std::int32_t id(index_t t, index_t b) const { return ids[static_cast<std::size_t>(t * size + b)]; }
};

// Fills `batch` (reusing its storage) with the sequences items[0…B) as sequence_of(item) returns them. Every
// sequence must have at least one step (UsageError naming the item otherwise).
void pad_batch(std::span<const std::size_t> items,
               const std::function<std::span<const std::int32_t>(std::size_t)>& sequence_of, std::int32_t pad_id,
               PaddedBatch& batch);

}  // namespace tapegrad::lm
