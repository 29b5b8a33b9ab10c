// LSTMCell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000):
//   i_t = σ(x_t W_i + h_{t−1} U_i + b_i)        input gate: how much of the candidate enters the memory
//   f_t = σ(x_t W_f + h_{t−1} U_f + b_f)        forget gate: how much of the old memory stays
//   o_t = σ(x_t W_o + h_{t−1} U_o + b_o)        output gate: how much of the memory is shown
//   c̃_t = tanh(x_t W_c + h_{t−1} U_c + b_c)     candidate memory
//   c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t             the memory: an additive path, along which gradients survive
//   h_t = o_t ⊙ tanh(c_t)
// Parameters: W_ih = [W_i | W_f | W_c | W_o] (I × 4H), W_hh = [U_i | U_f | U_c | U_o] (H × 4H), b (4H), gate blocks
// in the order i, f, c̃, o (PyTorch's order). The forget-gate bias starts at CellOptions::forget_bias.
#pragma once

#include "nn/cell.hpp"

namespace tapegrad::nn {

class LSTMCell : public RecurrentCell {
 public:
  LSTMCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options = {});
  CellType type() const override { return CellType::LSTM; }
  std::string describe() const override;

 protected:
  CellState composed_step(const Input& in, const CellState& prev) override;
  CellState fused_step(const Input& in, const CellState& prev) override;
};

}  // namespace tapegrad::nn
