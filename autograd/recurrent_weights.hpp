// Internal to autograd/: a fused recurrent cell's share of ∂J/∂W_hh (ops_recurrent.cpp), gW += leftᵀ · right, added
// by the step itself or handed to the recurrent_weights node it reads W_hh through (recurrent_weights.cpp says why
// and how).
//
//   recording:  slot = claim_recurrent_slot(tape, W, rows, op)        kept in the cell node's params.begin
//   backward:   RecurrentShare share(ctx, w_input, slot, rows, G);
//               write dA into share.right() (rows × G), use it for the other gradients, then
//               share.keep(h_prev, cols[, second_left])
#pragma once

#include "autograd/backward_rules.hpp"

namespace tapegrad::autograd::detail {

// When W (a cell's W_hh operand) is a recurrent_weights node that will need a gradient, claims the next slot of its
// run and returns it; otherwise −1. Throws ShapeError naming `cell` when the step's rows differ from the run's.
index_t claim_recurrent_slot(Tape& tape, Var W, index_t rows, OpCode cell);

// One recurrent_weights node's ring of slots and its bookkeeping (layout in recurrent_weights.cpp).
struct RecurrentRun {
  index_t H = 0, G = 0, rows = 0, chunk = 0;
  std::int32_t* counters = nullptr;
  float* saved = nullptr;
  float* grad = nullptr;  // where the chunks are added

  // block 0: the left factors of W's columns [0, cols); block 1: of columns [cols, G), when the steps keep two
  float* left(index_t position, index_t block = 0) const { return saved + (block * chunk + position) * rows * H; }
  float* right(index_t position) const { return saved + 2 * chunk * rows * H + position * rows * G; }
  void start(std::uint32_t pass);  // forgets what an earlier, unfinished backward pass left in the ring
  void add_held();                 // adds the chunk the ring holds into grad, and empties the ring
};

// In a cell's backward rule: the step's share of ∂J/∂W, with W its input w.
class RecurrentShare {
 public:
  // slot: what claim_recurrent_slot returned at recording; rows × gates: the shape of the right factor dA.
  RecurrentShare(const BackwardContext& c, std::size_t w, index_t slot, index_t rows, index_t gates);
  // rows × gates, row stride gates: the step writes its gate gradients dA here (W's right factor): the slot of its
  // run, or scratch memory.
  float* right() const { return right_; }
  // left (rows × H, row stride H: the state the step multiplied W by) is the left factor of W's columns [0, cols),
  // and second_left (if given) that of the columns [cols, G). In a run, keeps them in the slot and marks it done (the
  // first slot of a chunk then adds the chunk); otherwise adds gW[:, 0:cols] += leftᵀ · right[:, 0:cols] (and the
  // same for the rest) now, if W needs a gradient.
  void keep(const float* left, index_t cols, const float* second_left = nullptr);

 private:
  RecurrentRun run_;      // run_.counters is null when the step is not part of a run
  index_t position_ = 0;  // the slot's place in the ring
  bool chunk_first_ = false;
  float* right_ = nullptr;
};

}  // namespace tapegrad::autograd::detail
