// Fused recurrent cells: one tape node per time step. Forward: the gate pre-activations of all gates as one GEMM per
// operand (x·W_ih and h·W_hh over the concatenated gate weights), then one pointwise pass (ops/recurrent.hpp).
// Backward: the pointwise rule gives the pre-activation gradients dA of all gates, and the GEMMs' rules follow:
//   gx += dA·W_ihᵀ,  gW_ih += xᵀ·dA,  gb += Σ_rows dA,  gh += dA·W_hhᵀ,  gW_hh += hᵀ·dA   (blockwise where the GRU
// splits them). The equations of each cell are in autograd/functions.hpp; their composed twins live in nn/.
// gW_hh += hᵀ·dA goes through detail::RecurrentShare (autograd/recurrent_weights.hpp): dA is written into the storage
// it gives, and the product is added by the step — or, when W_hh is read through a recurrent_weights node (nn::unroll
// records one per fused run), by that node, a chunk of steps in one GEMM. The GRU with the reset before the product
// has two left factors, h for [U_r | U_z] and r ⊙ h for U_n.
//
// A node records its inputs in the order of the function's arguments, and every rule finds an operand through the
// cell's named slots (CellSlots below), never by counting.
#include <string>

#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "autograd/recurrent_weights.hpp"
#include "ops/activation.hpp"
#include "ops/bias.hpp"
#include "ops/elementwise.hpp"
#include "ops/gemm.hpp"
#include "ops/layout.hpp"
#include "ops/recurrent.hpp"

namespace tapegrad::autograd {

using detail::require_shape;

namespace {

// Where each operand of a fused cell sits among its node's inputs: the position of its argument in the recording
// function. Shapes: x (B × I), h and c (B × H), W_ih (I × G), W_hh (H × G), b (G), b_hn (H), with G = n_gates·H.
// The projected forms take xw = x·W_ih + b (B × G) in x's slot and have no W_ih and b; only the LSTM has c, only the
// reset-after GRU has b_hn. A form without an operand has kAbsent in its slot.
constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
struct CellSlots {
  std::size_t x = kAbsent, h = kAbsent, c = kAbsent, W_ih = kAbsent, W_hh = kAbsent, b = kAbsent, b_hn = kAbsent;
  index_t n_gates = 0;  // gate blocks of H columns in W_ih, W_hh, b and the projected input
  bool projected() const { return W_ih == kAbsent; }
};

// lstm_cell(x, h, c, W_ih, W_hh, b) and lstm_cell_projected(xw, h, c, W_hh)
constexpr CellSlots kLSTM{.x = 0, .h = 1, .c = 2, .W_ih = 3, .W_hh = 4, .b = 5, .n_gates = 4};
constexpr CellSlots kLSTMProjected{.x = 0, .h = 1, .c = 2, .W_hh = 3, .n_gates = 4};
// gru_cell(x, h, W_ih, W_hh, b) and gru_cell_projected(xw, h, W_hh)
constexpr CellSlots kGRU{.x = 0, .h = 1, .W_ih = 2, .W_hh = 3, .b = 4, .n_gates = 3};
constexpr CellSlots kGRUProjected{.x = 0, .h = 1, .W_hh = 2, .n_gates = 3};
// gru_cell_reset_after(x, h, W_ih, W_hh, b, b_hn) and gru_cell_reset_after_projected(xw, h, W_hh, b_hn)
constexpr CellSlots kGRUResetAfter{.x = 0, .h = 1, .W_ih = 2, .W_hh = 3, .b = 4, .b_hn = 5, .n_gates = 3};
constexpr CellSlots kGRUResetAfterProjected{.x = 0, .h = 1, .W_hh = 2, .b_hn = 3, .n_gates = 3};
// rnn_cell(x, h, W_ih, W_hh, b) and rnn_cell_projected(xw, h, W_hh)
constexpr CellSlots kRNN{.x = 0, .h = 1, .W_ih = 2, .W_hh = 3, .b = 4, .n_gates = 1};
constexpr CellSlots kRNNProjected{.x = 0, .h = 1, .W_hh = 2, .n_gates = 1};

// Every form's arguments come in the order x, h, c, W_ih, W_hh, b, b_hn (skipping what it lacks): the slots must
// number the present operands 0, 1, 2, … in that order, which is also the order a text dump shows.
constexpr std::size_t n_slots(const CellSlots& s) {
  std::size_t n = 0;
  for (std::size_t slot : {s.x, s.h, s.c, s.W_ih, s.W_hh, s.b, s.b_hn}) {
    if (slot == kAbsent) continue;
    if (slot != n) return kAbsent;
    ++n;
  }
  return n;
}
static_assert(n_slots(kLSTM) == 6 && n_slots(kLSTMProjected) == 4 && n_slots(kGRU) == 5 &&
              n_slots(kGRUProjected) == 3 && n_slots(kGRUResetAfter) == 6 && n_slots(kGRUResetAfterProjected) == 4 &&
              n_slots(kRNN) == 5 && n_slots(kRNNProjected) == 3);

const CellSlots& lstm_slots(bool projected) { return projected ? kLSTMProjected : kLSTM; }
const CellSlots& gru_slots(bool projected) { return projected ? kGRUProjected : kGRU; }
const CellSlots& gru_reset_after_slots(bool projected) { return projected ? kGRUResetAfterProjected : kGRUResetAfter; }
const CellSlots& rnn_slots(bool projected) { return projected ? kRNNProjected : kRNN; }

struct Dims {
  index_t batch, hidden;
};

// Checks a fused cell's operands against each other; returns batch and hidden sizes.
Dims check_cell(OpCode op, const CellSlots& s, std::span<const Var> in) {
  assert(in.size() == n_slots(s) && "a fused cell records one input per slot");
  const Shape sh = in[s.h].shape();
  require_shape(sh.rank() == 2, op, [&] { return "h must be batch × hidden, got " + sh.str(); });
  const index_t B = sh[0], H = sh[1], G = s.n_gates * H;
  if (s.c != kAbsent)
    require_shape(in[s.c].shape() == sh, op, [&] { return "c is " + in[s.c].shape().str() + " but h is " + sh.str(); });
  const Shape sw = in[s.W_hh].shape();
  require_shape(sw == Shape{H, G}, op, [&] {
    return "W_hh is " + sw.str() + " but hidden size " + std::to_string(H) + " with " + std::to_string(s.n_gates) +
           " gate blocks needs " + Shape{H, G}.str();
  });
  if (s.b_hn != kAbsent)
    require_shape(in[s.b_hn].shape().numel() == H, op, [&] {
      return "b_hn is " + in[s.b_hn].shape().str() + " but the hidden size is " + std::to_string(H);
    });
  if (s.projected()) {
    require_shape(in[s.x].shape() == Shape{B, G}, op, [&] {
      return "the projected input is " + in[s.x].shape().str() + " but needs batch × gates = " + Shape{B, G}.str();
    });
  } else {
    const Shape sx = in[s.x].shape(), swi = in[s.W_ih].shape(), sb = in[s.b].shape();
    require_shape(sx.rank() == 2 && sx[0] == B, op, [&] { return "x is " + sx.str() + " but h is " + sh.str(); });
    require_shape(swi == Shape{sx[1], G}, op, [&] {
      return "W_ih is " + swi.str() + " but x is " + sx.str() + " and " + std::to_string(s.n_gates) + " gates of " +
             std::to_string(H) + " need " + Shape{sx[1], G}.str();
    });
    require_shape(sb.numel() == G, op,
                  [&] { return "b is " + sb.str() + " but the gates need " + std::to_string(G) + " values"; });
  }
  return {B, H};
}

// A (B × G) = x·W_ih + b, or a copy of the projected input xw.
void input_forward(const CellSlots& s, std::span<const Var> in, index_t B, index_t G, float* A) {
  if (s.projected()) {
    ops::copy_block(1, B * G, in[s.x].value().data, B * G, A, B * G);
    return;
  }
  const index_t I = in[s.x].shape()[1];
  ops::gemm_bias(false, false, B, G, I, 1.0f, in[s.x].value().data, I, in[s.W_ih].value().data, G, 0.0f,
                 in[s.b].value().data, A, G);
}

// The input side's share of the backward pass, from dA (B × G): gxw += dA, or gx, gW_ih and gb.
void input_backward(const BackwardContext& c, const CellSlots& s, index_t B, index_t G, const float* dA) {
  if (s.projected()) {
    if (float* gxw = c.input_grad(s.x)) ops::axpy(B * G, 1.0f, dA, gxw);
    return;
  }
  const index_t I = c.input_shape(s.x)[1];
  if (float* gx = c.input_grad(s.x))
    ops::gemm(false, true, B, I, G, 1.0f, dA, G, c.input_value(s.W_ih), G, 1.0f, gx, I);
  if (float* gw = c.input_grad(s.W_ih))
    ops::gemm(true, false, I, G, B, 1.0f, c.input_value(s.x), I, dA, G, 1.0f, gw, G);
  if (float* gb = c.input_grad(s.b)) ops::colsum_acc(B, G, dA, gb);
}

// ---- LSTM ---------------------------------------------------------------------------------------------------------

Var lstm(std::span<const Var> in, const CellSlots& s) {
  Tape& tape = Tape::common_tape("lstm_cell", in);
  const auto [B, H] = check_cell(OpCode::LSTMCell, s, in);
  OpParams p;
  p.projected = s.projected();
  p.begin = detail::claim_recurrent_slot(tape, in[s.W_hh], B, OpCode::LSTMCell);
  Var y = tape.record(OpCode::LSTMCell, in, Shape{2, B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(5 * B * H));  // [gates (B×4H) | tanh c' (B×H)]
  input_forward(s, in, B, 4 * H, gates);
  ops::gemm(false, false, B, 4 * H, H, 1.0f, in[s.h].value().data, H, in[s.W_hh].value().data, 4 * H, 1.0f, gates,
            4 * H);
  float* out = tape.mutable_value(y);  // [h' ; c']
  ops::lstm_forward(B, H, gates, in[s.c].value().data, out + B * H, gates + 4 * B * H, out);
  return y;
}

}  // namespace

Var lstm_cell(Var x, Var h, Var c, Var W_ih, Var W_hh, Var b) {
  const Var in[] = {x, h, c, W_ih, W_hh, b};
  return lstm(in, kLSTM);
}
Var lstm_cell_projected(Var xw, Var h, Var c, Var W_hh) {
  const Var in[] = {xw, h, c, W_hh};
  return lstm(in, kLSTMProjected);
}
void backward_LSTMCell(const BackwardContext& c) {
  const CellSlots& s = lstm_slots(c.params().projected);
  const index_t B = c.shape()[1], H = c.shape()[2];
  const float* gates = c.node().saved;
  const float* h_prev = c.input_value(s.h);
  detail::RecurrentShare share(c, s.W_hh, c.params().begin, B, 4 * H);
  float* dz = share.right();
  ops::lstm_backward(B, H, gates, c.input_value(s.c), gates + 4 * B * H, c.grad(), c.grad() + B * H, dz,
                     c.input_grad(s.c));
  if (float* gh = c.input_grad(s.h))
    ops::gemm(false, true, B, H, 4 * H, 1.0f, dz, 4 * H, c.input_value(s.W_hh), 4 * H, 1.0f, gh, H);
  share.keep(h_prev, 4 * H);  // gW_hh += h_prevᵀ · dz
  input_backward(c, s, B, 4 * H, dz);
}

// ---- GRU, reset before the product (Cho et al. 2014's original form) -----------------------------------------------

namespace {
Var gru(std::span<const Var> in, const CellSlots& s) {
  Tape& tape = Tape::common_tape("gru_cell", in);
  const auto [B, H] = check_cell(OpCode::GRUCell, s, in);
  OpParams p;
  p.projected = s.projected();
  p.begin = detail::claim_recurrent_slot(tape, in[s.W_hh], B, OpCode::GRUCell);
  Var y = tape.record(OpCode::GRUCell, in, Shape{B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(4 * B * H));  // [gates (B×3H) | r ⊙ h (B×H)]
  float* rh = gates + 3 * B * H;
  const float* h = in[s.h].value().data;
  const float* U = in[s.W_hh].value().data;  // W_hh = [U_r | U_z | U_n], H × 3H
  input_forward(s, in, B, 3 * H, gates);
  ops::gemm(false, false, B, 2 * H, H, 1.0f, h, H, U, 3 * H, 1.0f, gates, 3 * H);  // += h·[U_r | U_z]
  ops::gru_gates_forward(B, H, gates, h, rh);
  ops::gemm(false, false, B, H, H, 1.0f, rh, H, U + 2 * H, 3 * H, 1.0f, gates + 2 * H, 3 * H);  // += (r⊙h)·U_n
  ops::gru_output_forward(B, H, gates, h, tape.mutable_value(y));
  return y;
}
}  // namespace

Var gru_cell(Var x, Var h, Var W_ih, Var W_hh, Var b) {
  const Var in[] = {x, h, W_ih, W_hh, b};
  return gru(in, kGRU);
}
Var gru_cell_projected(Var xw, Var h, Var W_hh) {
  const Var in[] = {xw, h, W_hh};
  return gru(in, kGRUProjected);
}
void backward_GRUCell(const BackwardContext& c) {
  const CellSlots& s = gru_slots(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  const float* gates = c.node().saved;
  const float* rh = gates + 3 * B * H;
  const float* h = c.input_value(s.h);
  const float* U = c.input_value(s.W_hh);
  float* gh = c.input_grad(s.h);
  detail::RecurrentShare share(c, s.W_hh, c.params().begin, B, 3 * H);
  float* da = share.right();
  float* g_rh = c.scratch(static_cast<std::size_t>(B * H));
  ops::gru_output_backward(B, H, gates, h, c.grad(), da, gh);                                 // blocks z, n of da
  ops::gemm(false, true, B, H, H, 1.0f, da + 2 * H, 3 * H, U + 2 * H, 3 * H, 0.0f, g_rh, H);  // g_rh = da_n·U_nᵀ
  ops::gru_reset_backward(B, H, gates, h, g_rh, da, gh);  // block r of da
  if (gh) ops::gemm(false, true, B, H, 2 * H, 1.0f, da, 3 * H, U, 3 * H, 1.0f, gh, H);
  share.keep(h, 2 * H, rh);  // gU[:, 0:2H] += hᵀ · da[:, 0:2H],  gU_n += (r ⊙ h)ᵀ · da_n
  input_backward(c, s, B, 3 * H, da);
}

// ---- GRU, reset after the product (cuDNN / PyTorch) ---------------------------------------------------------------

namespace {
Var gru_after(std::span<const Var> in, const CellSlots& s) {
  Tape& tape = Tape::common_tape("gru_cell_reset_after", in);
  const auto [B, H] = check_cell(OpCode::GRUCellResetAfter, s, in);
  OpParams p;
  p.projected = s.projected();
  p.begin = detail::claim_recurrent_slot(tape, in[s.W_hh], B, OpCode::GRUCellResetAfter);
  Var y = tape.record(OpCode::GRUCellResetAfter, in, Shape{B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(6 * B * H));  // [gates (B×3H) | u (B×3H)]
  float* u = gates + 3 * B * H;
  const float* h = in[s.h].value().data;
  const float* b_hn = in[s.b_hn].value().data;
  input_forward(s, in, B, 3 * H, gates);
  ops::gemm(false, false, B, 3 * H, H, 1.0f, h, H, in[s.W_hh].value().data, 3 * H, 0.0f, u, 3 * H);  // u = h·W_hh
  for (index_t r = 0; r < B; ++r) ops::axpy(H, 1.0f, b_hn, u + r * 3 * H + 2 * H);                   // u_n += b_hn
  ops::gru_after_forward(B, H, gates, u, h, tape.mutable_value(y));
  return y;
}
}  // namespace

Var gru_cell_reset_after(Var x, Var h, Var W_ih, Var W_hh, Var b, Var b_hn) {
  const Var in[] = {x, h, W_ih, W_hh, b, b_hn};
  return gru_after(in, kGRUResetAfter);
}
Var gru_cell_reset_after_projected(Var xw, Var h, Var W_hh, Var b_hn) {
  const Var in[] = {xw, h, W_hh, b_hn};
  return gru_after(in, kGRUResetAfterProjected);
}
void backward_GRUCellResetAfter(const BackwardContext& c) {
  const CellSlots& s = gru_reset_after_slots(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  const float* gates = c.node().saved;
  const float* h = c.input_value(s.h);
  detail::RecurrentShare share(c, s.W_hh, c.params().begin, B, 3 * H);
  float* da = c.scratch(static_cast<std::size_t>(3 * B * H));
  float* du = share.right();
  ops::gru_after_backward(B, H, gates, gates + 3 * B * H, h, c.grad(), da, du, c.input_grad(s.h));
  if (float* gh = c.input_grad(s.h))
    ops::gemm(false, true, B, H, 3 * H, 1.0f, du, 3 * H, c.input_value(s.W_hh), 3 * H, 1.0f, gh, H);
  share.keep(h, 3 * H);  // gW_hh += hᵀ · du
  if (float* gb_hn = c.input_grad(s.b_hn))
    for (index_t r = 0; r < B; ++r) ops::axpy(H, 1.0f, du + r * 3 * H + 2 * H, gb_hn);
  input_backward(c, s, B, 3 * H, da);
}

// ---- Elman RNN ----------------------------------------------------------------------------------------------------

namespace {
Var rnn(std::span<const Var> in, const CellSlots& s, bool relu) {
  Tape& tape = Tape::common_tape("rnn_cell", in);
  const auto [B, H] = check_cell(OpCode::RNNCell, s, in);
  OpParams p;
  p.projected = s.projected();
  p.relu = relu;
  p.begin = detail::claim_recurrent_slot(tape, in[s.W_hh], B, OpCode::RNNCell);
  Var y = tape.record(OpCode::RNNCell, in, Shape{B, H}, p);
  float* a = tape.mutable_value(y);  // pre-activation, then h' in place
  input_forward(s, in, B, H, a);
  ops::gemm(false, false, B, H, H, 1.0f, in[s.h].value().data, H, in[s.W_hh].value().data, H, 1.0f, a, H);
  if (relu)
    ops::relu(B * H, a, a);
  else
    ops::tanh(B * H, a, a);
  return y;
}
}  // namespace

Var rnn_cell(Var x, Var h, Var W_ih, Var W_hh, Var b, bool relu) {
  const Var in[] = {x, h, W_ih, W_hh, b};
  return rnn(in, kRNN, relu);
}
Var rnn_cell_projected(Var xw, Var h, Var W_hh, bool relu) {
  const Var in[] = {xw, h, W_hh};
  return rnn(in, kRNNProjected, relu);
}
void backward_RNNCell(const BackwardContext& c) {
  const CellSlots& s = rnn_slots(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  detail::RecurrentShare share(c, s.W_hh, c.params().begin, B, H);
  float* da = share.right();
  ops::fill(B * H, 0.0f, da);
  if (c.params().relu)  // relu'(a) = [a > 0] = [h' > 0]
    ops::relu_backward_acc(B * H, c.value(), c.grad(), da);
  else  // tanh'(a) = 1 − h'²
    ops::tanh_backward_acc(B * H, c.value(), c.grad(), da);
  if (float* gh = c.input_grad(s.h))
    ops::gemm(false, true, B, H, H, 1.0f, da, H, c.input_value(s.W_hh), H, 1.0f, gh, H);
  share.keep(c.input_value(s.h), H);  // gW_hh += hᵀ · da
  input_backward(c, s, B, H, da);
}

}  // namespace tapegrad::autograd
