// pad_batch: sequences → a time-major padded batch with lengths and real rows (see padded_batch.hpp).
#include "lm/sequence/padded_batch.hpp"

#include <algorithm>
#include <string>

#include "ops/error.hpp"

namespace tapegrad::lm {

void pad_batch(std::span<const std::size_t> items,
               const std::function<std::span<const std::int32_t>(std::size_t)>& sequence_of, std::int32_t pad_id,
               PaddedBatch& batch) {
  if (items.empty()) throw UsageError("pad_batch: a batch needs at least one sequence");
  const auto B = static_cast<index_t>(items.size());
  batch.size = B;
  batch.items.assign(items.begin(), items.end());
  batch.lengths.resize(items.size());
  index_t T = 0;
  for (std::size_t b = 0; b < items.size(); ++b) {
    const auto len = static_cast<index_t>(sequence_of(items[b]).size());
    if (len == 0) throw UsageError("pad_batch: item " + std::to_string(items[b]) + " is an empty sequence");
    batch.lengths[b] = static_cast<std::int32_t>(len);
    T = std::max(T, len);
  }
  batch.steps = T;
  batch.ids.assign(static_cast<std::size_t>(T * B), pad_id);
  batch.real_rows.clear();
  for (std::size_t b = 0; b < items.size(); ++b) {
    const std::span<const std::int32_t> seq = sequence_of(items[b]);
    for (index_t t = 0; t < static_cast<index_t>(seq.size()); ++t) {
      const auto row = static_cast<std::int32_t>(t * B + static_cast<index_t>(b));
      batch.ids[static_cast<std::size_t>(row)] = seq[static_cast<std::size_t>(t)];
      batch.real_rows.push_back(row);
    }
  }
}

}  // namespace tapegrad::lm
