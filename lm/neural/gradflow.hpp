// The gradient-flow probe: how much of the gradient of a loss at the last step of a sequence reaches each earlier
// hidden state — ‖∂J_T/∂h_k‖ for every k ≤ T — the quantity whose decay (vanishing gradients) limits how far back a
// recurrent network can learn from, and which the LSTM's additive memory is meant to preserve.
//
// For `batch` windows of T + 1 tokens taken at seeded random positions of a token stream: the model reads x_1 … x_T
// from a zero state (evaluation mode: no dropout), J = −log P(x_{T+1} | x_1 … x_T) for each window, and one backward
// pass gives ∂J/∂h_k for the top layer's h_k. Each window's norm is averaged over the windows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lm/neural/model.hpp"

namespace tapegrad::lm {

struct GradientFlow {
  // norms[d] = mean over windows of ‖∂J_T/∂h_{T−d}‖₂, for d = 0 … T−1 (d steps back from the last)
  std::vector<double> norms;
  // The first distance d where the norm falls below fraction · norms[0] (norms.size() when it never does).
  index_t reach(double fraction) const;
};

struct GradientFlowOptions {
  index_t steps = 100;  // T
  index_t batch = 16;   // windows
  std::uint64_t seed = 1;
};

// Recurrent models only (UsageError otherwise); the stream must hold more than T + 1 tokens.
GradientFlow gradient_flow(LanguageModel& model, std::span<const std::int32_t> stream,
                           const GradientFlowOptions& options = {});

}  // namespace tapegrad::lm
