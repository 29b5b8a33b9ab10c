// Length-bucketed batching: sequences of similar length share a batch, so a padded batch wastes few steps. The
// items are sorted by length (ties in a random order when shuffling, else by index), cut into batches of at most
// `batch_size` sequences and at most `max_tokens` padded steps (B × T), and the batches are shuffled: every epoch sees
// every item once, in batches whose padding is small, in an order that differs from epoch to epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ops/random.hpp"

namespace tapegrad::lm {

struct BucketOptions {
  std::size_t batch_size = 32;  // sequences per batch, at most
  std::size_t max_tokens = 0;   // padded steps (B × longest) per batch, at most; 0 = no limit
  bool by_length = true;        // false: batches of random items (no bucketing; for comparison)
};

// lengths[i]: the length of item i. rng = nullptr: deterministic order (sorted by length, then index; batches in
// that order) — for evaluation. Returns the batches as lists of item indices.
std::vector<std::vector<std::size_t>> bucket_batches(std::span<const std::size_t> lengths,
                                                     const BucketOptions& options, Rng* rng);

}  // namespace tapegrad::lm
