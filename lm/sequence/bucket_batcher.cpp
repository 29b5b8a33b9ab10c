// bucket_batches: sort by length, cut, shuffle (see bucket_batcher.hpp).
#include "lm/sequence/bucket_batcher.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

// Fisher–Yates with tapegrad's Rng (std::shuffle's draws differ between standard libraries; this does not).
template <class T>
void shuffle_with(std::vector<T>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.uniform_int(i));
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace

std::vector<std::vector<std::size_t>> bucket_batches(std::span<const std::size_t> lengths,
                                                     const BucketOptions& options, Rng* rng) {
  if (options.batch_size == 0) throw UsageError("bucket_batches: the batch size must be at least 1");
  std::vector<std::size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (rng) shuffle_with(order, *rng);  // random ties
  if (options.by_length)
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });

  std::vector<std::vector<std::size_t>> batches;
  std::vector<std::size_t> current;
  for (std::size_t item : order) {
    std::size_t longest = std::max<std::size_t>(lengths[item], 1);  // (sorted: this item, if it joins)
    if (!options.by_length)
      for (std::size_t i : current) longest = std::max(longest, lengths[i]);
    const std::size_t padded = (current.size() + 1) * longest;
    const bool full = current.size() == options.batch_size ||
                      (options.max_tokens > 0 && !current.empty() && padded > options.max_tokens);
    if (full) batches.push_back(std::move(current)), current.clear();
    current.push_back(item);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  if (rng) shuffle_with(batches, *rng);
  return batches;
}

}  // namespace tapegrad::lm
