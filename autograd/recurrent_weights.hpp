// Internal to autograd/: how a fused recurrent cell (ops_recurrent.cpp) hands its share of ∂J/∂W_hh to the
// recurrent_weights node it reads W_hh through, instead of adding it itself (recurrent_weights.cpp says why and how).
//
//   recording:  slot = claim_recurrent_slot(tape, W, rows, op)        kept in the cell node's params.begin
//   backward:   RecurrentShare share(ctx, w_input, slot);
//               if (share) { write dA into share.right(); …; share.keep(h_prev, cols); }
//               else        gW += h_prevᵀ · dA                          (W is a plain parameter: the step adds it)
#pragma once

#include "autograd/backward_rules.hpp"

namespace tapegrad::autograd::detail {

// When W (a cell's W_hh operand) is a recurrent_weights node that will need a gradient, claims the next slot of its
// run and returns it; otherwise −1. Throws ShapeError naming `cell` when the step's rows differ from the run's.
index_t claim_recurrent_slot(Tape& tape, Var W, index_t rows, OpCode cell);

// In a cell's backward rule: the storage of the step's slot, or nothing (false) when the step adds its share itself.
class RecurrentShare {
 public:
  // w: the cell's input index of W; slot: what claim_recurrent_slot returned at recording.
  RecurrentShare(const BackwardContext& c, std::size_t w, index_t slot);
  explicit operator bool() const { return right_ != nullptr; }
  // rows × G, row stride G: the step writes its gate gradients dA here (they are W's right factor).
  float* right() const { return right_; }
  // Keeps left (rows × H, row stride H: the state the step multiplied W by) as the left factor of W's columns
  // [0, cols), and second_left (if given) as that of the columns [cols, G), and marks the slot done; the first slot
  // of a chunk then adds the chunk: gW[:, 0:cols] += Σ leftᵀ · right[:, 0:cols] (and the same for the rest).
  void keep(const float* left, index_t cols, const float* second_left = nullptr);

 private:
  const BackwardContext* c_ = nullptr;
  std::size_t w_ = 0;
  index_t slot_ = -1;
  float* right_ = nullptr;
};

}  // namespace tapegrad::autograd::detail
