// GRUCell (Cho et al. 2014), in two variants that differ only in where the reset gate acts:
//
//   r_t = σ(x_t W_r + h_{t−1} U_r + b_r)              reset gate
//   z_t = σ(x_t W_z + h_{t−1} U_z + b_z)              update gate
//   reset before (Cho et al.):     h̃_t = tanh(x_t W_n + (r_t ⊙ h_{t−1}) U_n + b_n)
//   reset after (cuDNN, PyTorch):  h̃_t = tanh(x_t W_n + b_n + r_t ⊙ (h_{t−1} U_n + b_hn))
//   h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t
//
// The reset-before form is Cho et al.'s original candidate h̃ = tanh(W [r ⊙ h_{t−1}, x_t] + b), written with column
// vectors, with W split into its x and h columns. The reset-after form lets h_{t−1}·U for all three gates be one
// product (r multiplies its result), which is why the fast libraries use it; it has one more bias, b_hn (H), because
// a bias inside r ⊙ (…) is not redundant.
// Update convention: z = 1 takes the candidate. PyTorch writes h_t = (1 − z) ⊙ h̃ + z ⊙ h_{t−1}, so its z is 1 − ours:
// a PyTorch GRU's z-gate weights and biases map to ours negated (σ(−a) = 1 − σ(a)).
// Parameters: W_ih = [W_r | W_z | W_n] (I × 3H), W_hh = [U_r | U_z | U_n] (H × 3H), b (3H), (b_hn (H)).
#pragma once

#include "nn/cell.hpp"

namespace tapegrad::nn {

class GRUCell : public RecurrentCell {
 public:
  GRUCell(index_t input, index_t hidden, Rng& rng, const CellOptions& options = {});
  CellType type() const override { return CellType::GRU; }
  std::string describe() const override;
  bool reset_after() const { return b_hn_ != nullptr; }
  Parameter* b_hn() { return b_hn_; }

 protected:
  CellState composed_step(const Input& in, const CellState& prev) override;
  CellState fused_step(const Input& in, const CellState& prev) override;

 private:
  Parameter* b_hn_ = nullptr;
};

}  // namespace tapegrad::nn
