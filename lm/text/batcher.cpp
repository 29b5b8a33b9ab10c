// StreamBatcher and WindowBatcher: index arithmetic over a token stream (see batcher.hpp).
#include "lm/text/batcher.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "ops/error.hpp"

namespace tapegrad::lm {

StreamBatcher::StreamBatcher(std::span<const std::int32_t> tokens, index_t batch, index_t bptt)
    : StreamBatcher(tokens, batch, bptt, 0, batch) {}

StreamBatcher::StreamBatcher(std::span<const std::int32_t> tokens, index_t batch, index_t bptt, index_t first,
                             index_t count)
    : batch_(count), bptt_(bptt), length_(batch > 0 ? static_cast<index_t>(tokens.size()) / batch : 0) {
  if (batch <= 0 || bptt <= 0)
    throw UsageError("StreamBatcher: batch and bptt must be positive (got " + std::to_string(batch) + " and " +
                     std::to_string(bptt) + ")");
  if (length_ < 2)
    throw UsageError("StreamBatcher: " + std::to_string(tokens.size()) + " tokens cannot make " +
                     std::to_string(batch) + " streams of at least 2 tokens (one input, one target)");
  if (first < 0 || count < 1 || first + count > batch)
    throw UsageError("StreamBatcher: streams " + std::to_string(first) + " to " + std::to_string(first + count - 1) +
                     " are not among the " + std::to_string(batch) + " streams of the batch");
  streams_.assign(tokens.begin() + first * length_, tokens.begin() + (first + count) * length_);
}

void StreamBatcher::get(index_t w, StreamWindow& window) const {
  if (w < 0 || w >= windows())
    throw UsageError("StreamBatcher::get: window " + std::to_string(w) + " of " + std::to_string(windows()));
  const index_t start = w * bptt_;
  const index_t steps = std::min(bptt_, length_ - 1 - start);
  window.steps = steps;
  window.batch = batch_;
  window.inputs.resize(static_cast<std::size_t>(steps * batch_));
  window.targets.resize(static_cast<std::size_t>(steps * batch_));
  for (index_t t = 0; t < steps; ++t)
    for (index_t b = 0; b < batch_; ++b) {
      const std::int32_t* stream = streams_.data() + b * length_;
      window.inputs[static_cast<std::size_t>(t * batch_ + b)] = stream[start + t];
      window.targets[static_cast<std::size_t>(t * batch_ + b)] = stream[start + t + 1];
    }
}

WindowBatcher::WindowBatcher(std::span<const std::int32_t> tokens, index_t context, index_t batch, std::int32_t padding)
    : tokens_(tokens.begin(), tokens.end()), context_(context), batch_(batch), padding_(padding) {
  if (context <= 0 || batch <= 0)
    throw UsageError("WindowBatcher: context and batch must be positive (got " + std::to_string(context) + " and " +
                     std::to_string(batch) + ")");
  if (tokens_.empty()) throw UsageError("WindowBatcher: the token stream is empty");
  start_epoch(false, 0, 0);
}

void WindowBatcher::start_epoch(bool shuffle, std::uint64_t seed, std::int64_t epoch) {
  order_.resize(tokens_.size());
  std::iota(order_.begin(), order_.end(), index_t{0});
  if (!shuffle) return;
  // Fisher–Yates with tapegrad's Rng: the same (seed, epoch) gives the same order on every platform.
  Rng rng(seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(epoch + 1)));
  for (std::size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.uniform_int(i + 1)]);
}

index_t WindowBatcher::get(index_t i, std::vector<std::int32_t>& contexts, std::vector<std::int32_t>& targets) const {
  if (i < 0 || i >= batches())
    throw UsageError("WindowBatcher::get: batch " + std::to_string(i) + " of " + std::to_string(batches()));
  const index_t begin = i * batch_, n = std::min(batch_, examples() - begin);
  contexts.resize(static_cast<std::size_t>(n * context_));
  targets.resize(static_cast<std::size_t>(n));
  for (index_t e = 0; e < n; ++e) {
    const index_t t = order_[static_cast<std::size_t>(begin + e)];
    targets[static_cast<std::size_t>(e)] = tokens_[static_cast<std::size_t>(t)];
    for (index_t c = 0; c < context_; ++c) {
      const index_t pos = t - context_ + c;  // oldest first
      contexts[static_cast<std::size_t>(e * context_ + c)] =
          pos < 0 ? padding_ : tokens_[static_cast<std::size_t>(pos)];
    }
  }
  return n;
}

}  // namespace tapegrad::lm
