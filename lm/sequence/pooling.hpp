// Pooling an encoder's per-token outputs to one vector per sentence (many-to-one):
//   last  the final states: [h→ after the sentence's own last token ⊕ h← after its first] (bidirectional), or h→
//   mean  (1/L) Σ_{t<L} y_t
//   max   max_{t<L} y_t per feature
// Padded steps never take part (lengths come from the padded batch).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "autograd/var.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

enum class Pool { Last, Mean, Max };
Pool parse_pool(const std::string& name);  // "last" | "mean" | "max"; UsageError naming them otherwise
const char* pool_name(Pool pool);

// outputs: y (T × B × D) as the encoder returned it; sequence: its recurrent runs (for `last`) → (B × D).
autograd::Var pool_sequence(Pool pool, autograd::Var outputs, const nn::SequenceOutput& sequence,
                            std::span<const std::int32_t> lengths, bool bidirectional);

}  // namespace tapegrad::lm
