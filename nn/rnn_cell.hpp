// RNNCell, the Elman network:
//   h_t = tanh(h_{t−1}·W_hh + x_t·W_ih + b)        (or relu instead of tanh: CellOptions::relu)
// which is the textbook's column-vector h_t = tanh(W_h h_{t−1} + W_e x_t + b) in tapegrad's row-vector layout (x·W
// for W·x).
// Parameters: W_ih (I × H), W_hh (H × H), b (H).
#pragma once

#include "nn/cell.hpp"

namespace tapegrad::nn {

class RNNCell : public RecurrentCell {
 public:
  RNNCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options = {});
  CellType type() const override { return CellType::RNN; }
  std::string describe() const override;
  bool relu() const { return relu_; }

 protected:
  CellState composed_step(const Input& in, const CellState& prev) override;
  CellState fused_step(const Input& in, const CellState& prev) override;

 private:
  bool relu_;
};

}  // namespace tapegrad::nn
