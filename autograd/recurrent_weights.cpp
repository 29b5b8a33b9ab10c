// recurrent_weights(W, rows, chunk): W (H × G) as the recurrent weights of one unrolled run of fused cells, so
// that the run's steps sum their shares of ∂J/∂W in a few large products instead of one small product per step.
//
// Why. A fused cell at step t owes its recurrent weights ∂J/∂W_hh += h_{t−1}ᵀ · dA_t (H × G; dA_t, B × G, the
// gradients of its gate pre-activations). That is a GEMM with k = B: for a batch of 20, each tile of the H × G
// result does 20 multiply-adds per element and is then stored, so the product runs at half the speed of a long one
// (docs/performance.md), and a run of T steps does T of them. The sum over the steps is one product,
//   ∂J/∂W += [h_{−1}; h_0; …; h_{T−2}]ᵀ · [dA_0; dA_1; …; dA_{T−1}]          (k = T·B),
// which recurrent_weights computes a chunk of steps at a time (k = chunk·B): the same terms, added in another
// (fixed) order — so the bits differ from the step-by-step sum, and are the same for every run and thread count.
//
// How. The node's value is a copy of W, recorded once before the run; the run's cells read W through it. Each cell
// claims a slot at recording (slots number the steps in recording order). In the reverse pass a cell writes its dA
// into its slot and copies its h_{t−1} beside it, instead of adding its product. A chunk's slots share a ring of
// `chunk` slots, so the memory is one chunk's, not the run's: (chunk · rows) × (2H + G) floats. The reverse pass
// visits the steps last to first, so the first slot of a chunk runs after the others of its chunk: it adds the
// chunk into the node's gradient. Any other order also works: a step that finds the ring holding another chunk adds
// that chunk first, slots no gradient reached are left out, and the node's own rule (which runs after all the
// cells, since it was recorded before them) passes the sum on to W, gW += gy, and adds what is left there.
//
// The run's shape is the node's params: begin = rows per step, width = chunk (steps per product). Bookkeeping
// (Node::counters): [0] slots claimed, [1] 1 + the chunk in the ring (0: none), [2] the backward pass the rest
// belongs to (a pass that threw leaves its state behind: the next one starts clean), [3] cols and [4] whether the
// steps keep a second left factor (the GRU with the reset before the product: h for the columns [0, cols) =
// [U_r | U_z], r ⊙ h for the rest, U_n; the other cells: one left factor for all G columns), then one flag per ring
// position: the slot there has kept its factors. Saved floats: the ring's first left factors (chunk · rows × H), its
// second ones (the same), then its right factors (chunk · rows × G).
#include "autograd/recurrent_weights.hpp"

#include <algorithm>
#include <string>

#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/elementwise.hpp"
#include "ops/gemm.hpp"
#include "ops/layout.hpp"

namespace tapegrad::autograd {

namespace {
enum Counter : std::size_t { kClaimed = 0, kHeld = 1, kPass = 2, kCols = 3, kSecond = 4, kFlags = 5 };

// gW[:, 0:cols] += leftᵀ · right[:, 0:cols] and, with a second left factor, gW[:, cols:G] += second_leftᵀ ·
// right[:, cols:G]; k rows each, right's row stride G.
void add_products(index_t H, index_t G, index_t k, const float* left, const float* second_left, index_t cols,
                  const float* right, float* gW) {
  ops::gemm(true, false, H, cols, k, 1.0f, left, H, right, G, 1.0f, gW, G);
  if (second_left) ops::gemm(true, false, H, G - cols, k, 1.0f, second_left, H, right + cols, G, 1.0f, gW + cols, G);
}
}  // namespace

// ---- the ring ---------------------------------------------------------------------------------------------------------

namespace detail {

void RecurrentRun::start(std::uint32_t pass) {
  const auto tag = static_cast<std::int32_t>(pass & 0x7fffffffu);
  if (counters[kPass] == tag) return;
  counters[kPass] = tag;
  counters[kHeld] = 0;
  std::fill(counters + kFlags, counters + kFlags + chunk, 0);
}

void RecurrentRun::add_held() {
  if (counters[kHeld] == 0) return;
  const bool second = counters[kSecond] != 0;
  std::int32_t* flags = counters + kFlags;
  index_t used = chunk;  // positions 0 … used−1 take part; the ones past the last kept slot are left out
  while (used > 0 && !flags[used - 1]) --used;
  for (index_t p = 0; p < used; ++p)
    if (!flags[p]) {  // a slot inside the chunk that no gradient reached: it adds nothing
      ops::fill(rows * H, 0.0f, left(p));
      if (second) ops::fill(rows * H, 0.0f, left(p, 1));
      ops::fill(rows * G, 0.0f, right(p));
    }
  if (used > 0 && grad)
    add_products(H, G, used * rows, left(0), second ? left(0, 1) : nullptr, counters[kCols], right(0), grad);
  std::fill(flags, flags + chunk, 0);
  counters[kHeld] = 0;
}

}  // namespace detail

// ---- the op ---------------------------------------------------------------------------------------------------------

index_t recurrent_chunk_steps(index_t steps, index_t rows) {
  if (steps < 1 || rows < 1) return 1;
  // At least two k steps of the blocked GEMM per product (its k step comes from the CPU's L1: ops::gemm_blocking),
  // so that reading and writing the H × G gradient is paid once per 2·kc rows; chunks as even as possible.
  const index_t target_rows = 2 * ops::gemm_blocking().kc;
  const index_t products = std::max<index_t>(1, (steps * rows + target_rows - 1) / target_rows);
  return (steps + products - 1) / products;
}

Var recurrent_weights(Var W, index_t rows, index_t chunk) {
  Tape& tape = W.tape();
  const Shape s = W.shape();
  detail::require_shape(s.rank() == 2, OpCode::RecurrentWeights,
                        [&] { return "W must be hidden × gates, got " + s.str(); });
  detail::require_usage(rows >= 1 && chunk >= 1, OpCode::RecurrentWeights, [&] {
    return "rows per step and steps per chunk must be positive, got " + std::to_string(rows) + " and " +
           std::to_string(chunk);
  });
  OpParams p;
  p.begin = rows;
  p.width = chunk;
  Var y = tape.record(OpCode::RecurrentWeights, std::span<const Var>(&W, 1), s, p);
  ops::copy_block(1, s.numel(), W.value().data, s.numel(), tape.mutable_value(y), s.numel());
  if (tape.node(y).requires_grad) {
    tape.save_floats(y, static_cast<std::size_t>(chunk * rows * (2 * s[0] + s[1])));
    tape.save_counters(y, static_cast<std::size_t>(kFlags + chunk));
  }
  return y;
}

void backward_RecurrentWeights(const BackwardContext& c) {
  float* gx = c.input_grad(0);
  if (gx) ops::axpy(c.numel(), 1.0f, c.grad(), gx);
  if (c.counters() == nullptr) return;
  // what the steps left in the ring goes straight to W (the same sum: gy's share has just been passed on)
  detail::RecurrentRun run{c.shape()[0], c.shape()[1], c.params().begin, c.params().width, c.counters(),
                           c.node().saved, gx};
  run.start(c.backward_pass());
  run.add_held();
}

// ---- the cells' side ------------------------------------------------------------------------------------------------

namespace detail {

index_t claim_recurrent_slot(Tape& tape, Var W, index_t rows, OpCode cell) {
  const Node& n = tape.node(W);
  if (n.op != OpCode::RecurrentWeights || n.counters == nullptr) return -1;
  require_shape(n.params.begin == rows, cell, [&] {
    return "the recurrent weights were recorded for steps of " + std::to_string(n.params.begin) +
           " rows, this step has " + std::to_string(rows);
  });
  return n.counters[kClaimed]++;
}

RecurrentShare::RecurrentShare(const BackwardContext& c, std::size_t w, index_t slot, index_t rows, index_t gates) {
  run_.H = c.input_shape(w)[0];
  run_.G = gates;
  run_.rows = rows;
  run_.grad = c.input_grad(w);
  const bool in_run = slot >= 0 && c.input_op(w) == OpCode::RecurrentWeights && c.input_counters(w) != nullptr &&
                      run_.grad != nullptr;
  if (!in_run) {
    right_ = c.scratch(static_cast<std::size_t>(rows * gates));
    return;
  }
  run_.chunk = c.input_params(w).width;
  run_.counters = c.input_counters(w);
  run_.saved = c.input_saved(w);
  run_.start(c.backward_pass());
  const auto chunk_of_slot = static_cast<std::int32_t>(slot / run_.chunk);
  if (run_.counters[kHeld] != 0 && run_.counters[kHeld] != chunk_of_slot + 1) run_.add_held();
  run_.counters[kHeld] = chunk_of_slot + 1;
  position_ = slot % run_.chunk;
  chunk_first_ = position_ == 0;
  right_ = run_.right(position_);
}

void RecurrentShare::keep(const float* left, index_t cols, const float* second_left) {
  if (run_.counters == nullptr) {  // not in a run: the step adds its own product
    if (run_.grad) add_products(run_.H, run_.G, run_.rows, left, second_left, cols, right_, run_.grad);
    return;
  }
  const index_t n = run_.rows * run_.H;
  ops::copy_block(1, n, left, n, run_.left(position_), n);
  if (second_left) ops::copy_block(1, n, second_left, n, run_.left(position_, 1), n);
  run_.counters[kCols] = static_cast<std::int32_t>(cols);
  run_.counters[kSecond] = second_left ? 1 : 0;
  run_.counters[kFlags + position_] = 1;
  if (chunk_first_) run_.add_held();  // the chunk's first slot: the rest of the chunk has run
}

}  // namespace detail
}  // namespace tapegrad::autograd
