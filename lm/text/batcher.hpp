// Batching a token stream for training.
//
// StreamBatcher (recurrent LMs, truncated BPTT): the stream is cut into B equal parallel streams — stream b holds
// tokens [b·L, (b+1)·L) with L = ⌊N/B⌋ (the last N mod B tokens are dropped) — and read in windows of T steps.
// A batcher may hold only streams [first, first + count) of the B (one rank's share in data-parallel training):
// its windows are then those columns of the whole batch's windows.
// Window w holds, for every stream b and step t < T_w:
//   input[t, b] = stream_b[w·T + t],   target[t, b] = stream_b[w·T + t + 1]
// time-major (row t = step t of all streams), so the hidden state after window w is the right start for window
// w + 1 of the same streams. The last window may be shorter (T_w = L − 1 − w·T).
//
// WindowBatcher (fixed-window LMs): every token of the stream is an example whose context is the `context` tokens
// before it — before the stream starts, the boundary token pads the context — visited in a shuffled order each epoch
// (seeded: the same seed and epoch give the same order) or in stream order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/random.hpp"
#include "ops/shape.hpp"

namespace tapegrad::lm {

struct StreamWindow {
  index_t steps = 0;                  // T_w
  index_t batch = 0;                  // B
  std::vector<std::int32_t> inputs;   // T_w × B
  std::vector<std::int32_t> targets;  // T_w × B
};

class StreamBatcher {
 public:
  // Throws UsageError when the stream is too short for B streams of at least 2 tokens.
  StreamBatcher(std::span<const std::int32_t> tokens, index_t batch, index_t bptt);
  // Only streams [first, first + count) of the B = batch streams (0 ≤ first, 1 ≤ count, first + count ≤ batch).
  StreamBatcher(std::span<const std::int32_t> tokens, index_t batch, index_t bptt, index_t first, index_t count);

  index_t batch() const { return batch_; }  // the streams this batcher holds (count, or B)
  index_t bptt() const { return bptt_; }
  index_t stream_length() const { return length_; }                    // L
  index_t windows() const { return (length_ - 2) / bptt_ + 1; }        // per epoch
  index_t predicted_tokens() const { return (length_ - 1) * batch_; }  // per epoch

  // Fills `window` with window w (0 ≤ w < windows()); reuses its vectors' capacity.
  void get(index_t w, StreamWindow& window) const;

 private:
  std::vector<std::int32_t> streams_;  // B × L, stream b contiguous
  index_t batch_, bptt_, length_;
};

class WindowBatcher {
 public:
  // padding: the id that stands for "before the stream" (the end-of-sentence token is the natural choice).
  WindowBatcher(std::span<const std::int32_t> tokens, index_t context, index_t batch, std::int32_t padding);

  index_t examples() const { return static_cast<index_t>(tokens_.size()); }
  index_t batches() const { return (examples() + batch_ - 1) / batch_; }  // per epoch
  index_t context() const { return context_; }

  // Orders the examples for an epoch: shuffled from (seed, epoch), or in stream order.
  void start_epoch(bool shuffle, std::uint64_t seed, std::int64_t epoch);
  // Batch i of the epoch (the last may be smaller): contexts (n × context), targets (n); returns n.
  index_t get(index_t i, std::vector<std::int32_t>& contexts, std::vector<std::int32_t>& targets) const;

 private:
  std::vector<std::int32_t> tokens_;
  std::vector<index_t> order_;
  index_t context_, batch_;
  std::int32_t padding_;
};

}  // namespace tapegrad::lm
