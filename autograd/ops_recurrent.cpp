// Fused recurrent cells: one tape node per time step. Forward: the gate pre-activations of all gates as one GEMM per
// operand (x·W_ih and h·W_hh over the concatenated gate weights), then one pointwise pass (ops/recurrent.hpp).
// Backward: the pointwise rule gives the pre-activation gradients dA of all gates, and the GEMMs' rules follow:
//   gx += dA·W_ihᵀ,  gW_ih += xᵀ·dA,  gb += Σ_rows dA,  gh += dA·W_hhᵀ,  gW_hh += hᵀ·dA   (blockwise where the GRU
// splits them). The equations of each cell are in autograd/functions.hpp; their composed twins live in nn/.
//
// Inputs as recorded: [x, W_ih, b, h, (c), W_hh, (b_hn)], or with the input side projected outside the cell
// (params.projected): [xw, h, (c), W_hh, (b_hn)].
#include <string>

#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/activation.hpp"
#include "ops/bias.hpp"
#include "ops/elementwise.hpp"
#include "ops/gemm.hpp"
#include "ops/layout.hpp"
#include "ops/recurrent.hpp"

namespace tapegrad::autograd {

using detail::require_shape;

namespace {

std::size_t side_inputs(bool projected) { return projected ? 1 : 3; }

struct Dims {
  index_t batch, hidden;
};

// Checks a fused cell's operands against each other (n_gates gate blocks); returns batch and hidden sizes.
Dims check_cell(OpCode op, bool projected, std::span<const Var> in, index_t n_gates, bool has_c, bool has_b_hn) {
  const std::size_t side = side_inputs(projected);
  const Shape sh = in[side].shape();
  require_shape(sh.rank() == 2, op, [&] { return "h must be batch × hidden, got " + sh.str(); });
  const index_t B = sh[0], H = sh[1], G = n_gates * H;
  std::size_t k = side + 1;
  if (has_c) {
    require_shape(in[k].shape() == sh, op, [&] { return "c is " + in[k].shape().str() + " but h is " + sh.str(); });
    ++k;
  }
  const Shape sw = in[k].shape();
  require_shape(sw == Shape{H, G}, op, [&] {
    return "W_hh is " + sw.str() + " but hidden size " + std::to_string(H) + " with " + std::to_string(n_gates) +
           " gate blocks needs " + Shape{H, G}.str();
  });
  if (has_b_hn)
    require_shape(in[k + 1].shape().numel() == H, op, [&] {
      return "b_hn is " + in[k + 1].shape().str() + " but the hidden size is " + std::to_string(H);
    });
  if (projected) {
    require_shape(in[0].shape() == Shape{B, G}, op, [&] {
      return "the projected input is " + in[0].shape().str() + " but needs batch × gates = " + Shape{B, G}.str();
    });
  } else {
    const Shape sx = in[0].shape(), swi = in[1].shape(), sb = in[2].shape();
    require_shape(sx.rank() == 2 && sx[0] == B, op, [&] { return "x is " + sx.str() + " but h is " + sh.str(); });
    require_shape(swi == Shape{sx[1], G}, op, [&] {
      return "W_ih is " + swi.str() + " but x is " + sx.str() + " and " + std::to_string(n_gates) + " gates of " +
             std::to_string(H) + " need " + Shape{sx[1], G}.str();
    });
    require_shape(sb.numel() == G, op,
                  [&] { return "b is " + sb.str() + " but the gates need " + std::to_string(G) + " values"; });
  }
  return {B, H};
}

// A (B × G) = x·W_ih + b, or a copy of the projected input.
void input_forward(std::span<const Var> in, bool projected, index_t B, index_t G, float* A) {
  if (projected) {
    ops::copy_block(1, B * G, in[0].value().data, B * G, A, B * G);
    return;
  }
  const index_t I = in[0].shape()[1];
  ops::gemm_bias(false, false, B, G, I, 1.0f, in[0].value().data, I, in[1].value().data, G, 0.0f, in[2].value().data, A,
                 G);
}

// The input side's share of the backward pass, from dA (B × G).
void input_backward(const BackwardContext& c, index_t B, index_t G, const float* dA) {
  if (c.params().projected) {
    if (float* gxw = c.input_grad(0)) ops::axpy(B * G, 1.0f, dA, gxw);
    return;
  }
  const index_t I = c.input_shape(0)[1];
  if (float* gx = c.input_grad(0)) ops::gemm(false, true, B, I, G, 1.0f, dA, G, c.input_value(1), G, 1.0f, gx, I);
  if (float* gw = c.input_grad(1)) ops::gemm(true, false, I, G, B, 1.0f, c.input_value(0), I, dA, G, 1.0f, gw, G);
  if (float* gb = c.input_grad(2)) ops::colsum_acc(B, G, dA, gb);
}

// ---- LSTM ---------------------------------------------------------------------------------------------------------

Var lstm(std::span<const Var> in, bool projected) {
  Tape& tape = Tape::common_tape("lstm_cell", in);
  const auto [B, H] = check_cell(OpCode::LSTMCell, projected, in, 4, true, false);
  const std::size_t s = side_inputs(projected);
  OpParams p;
  p.projected = projected;
  Var y = tape.record(OpCode::LSTMCell, in, Shape{2, B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(5 * B * H));  // [gates (B×4H) | tanh c' (B×H)]
  input_forward(in, projected, B, 4 * H, gates);
  ops::gemm(false, false, B, 4 * H, H, 1.0f, in[s].value().data, H, in[s + 2].value().data, 4 * H, 1.0f, gates, 4 * H);
  float* out = tape.mutable_value(y);  // [h' ; c']
  ops::lstm_forward(B, H, gates, in[s + 1].value().data, out + B * H, gates + 4 * B * H, out);
  return y;
}

}  // namespace

Var lstm_cell(Var x, Var h, Var c, Var W_ih, Var W_hh, Var b) {
  const Var in[] = {x, W_ih, b, h, c, W_hh};
  return lstm(in, false);
}
Var lstm_cell_projected(Var xw, Var h, Var c, Var W_hh) {
  const Var in[] = {xw, h, c, W_hh};
  return lstm(in, true);
}
void backward_LSTMCell(const BackwardContext& c) {
  const std::size_t s = side_inputs(c.params().projected);
  const index_t B = c.shape()[1], H = c.shape()[2];
  const float* gates = c.node().saved;
  const float* h_prev = c.input_value(s);
  float* dz = c.scratch(static_cast<std::size_t>(4 * B * H));
  ops::lstm_backward(B, H, gates, c.input_value(s + 1), gates + 4 * B * H, c.grad(), c.grad() + B * H, dz,
                     c.input_grad(s + 1));
  if (float* gh = c.input_grad(s))
    ops::gemm(false, true, B, H, 4 * H, 1.0f, dz, 4 * H, c.input_value(s + 2), 4 * H, 1.0f, gh, H);
  if (float* gw = c.input_grad(s + 2)) ops::gemm(true, false, H, 4 * H, B, 1.0f, h_prev, H, dz, 4 * H, 1.0f, gw, 4 * H);
  input_backward(c, B, 4 * H, dz);
}

// ---- GRU, reset before the product (the lecture form) ---------------------------------------------------------------

namespace {
Var gru(std::span<const Var> in, bool projected) {
  Tape& tape = Tape::common_tape("gru_cell", in);
  const auto [B, H] = check_cell(OpCode::GRUCell, projected, in, 3, false, false);
  const std::size_t s = side_inputs(projected);
  OpParams p;
  p.projected = projected;
  Var y = tape.record(OpCode::GRUCell, in, Shape{B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(4 * B * H));  // [gates (B×3H) | r ⊙ h (B×H)]
  float* rh = gates + 3 * B * H;
  const float* h = in[s].value().data;
  const float* U = in[s + 1].value().data;  // W_hh = [U_r | U_z | U_n], H × 3H
  input_forward(in, projected, B, 3 * H, gates);
  ops::gemm(false, false, B, 2 * H, H, 1.0f, h, H, U, 3 * H, 1.0f, gates, 3 * H);  // += h·[U_r | U_z]
  ops::gru_gates_forward(B, H, gates, h, rh);
  ops::gemm(false, false, B, H, H, 1.0f, rh, H, U + 2 * H, 3 * H, 1.0f, gates + 2 * H, 3 * H);  // += (r⊙h)·U_n
  ops::gru_output_forward(B, H, gates, h, tape.mutable_value(y));
  return y;
}
}  // namespace

Var gru_cell(Var x, Var h, Var W_ih, Var W_hh, Var b) {
  const Var in[] = {x, W_ih, b, h, W_hh};
  return gru(in, false);
}
Var gru_cell_projected(Var xw, Var h, Var W_hh) {
  const Var in[] = {xw, h, W_hh};
  return gru(in, true);
}
void backward_GRUCell(const BackwardContext& c) {
  const std::size_t s = side_inputs(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  const float* gates = c.node().saved;
  const float* rh = gates + 3 * B * H;
  const float* h = c.input_value(s);
  const float* U = c.input_value(s + 1);
  float* gh = c.input_grad(s);
  float* gU = c.input_grad(s + 1);
  float* da = c.scratch(static_cast<std::size_t>(3 * B * H));
  float* g_rh = c.scratch(static_cast<std::size_t>(B * H));
  ops::gru_output_backward(B, H, gates, h, c.grad(), da, gh);                                 // blocks z, n of da
  ops::gemm(false, true, B, H, H, 1.0f, da + 2 * H, 3 * H, U + 2 * H, 3 * H, 0.0f, g_rh, H);  // g_rh = da_n·U_nᵀ
  if (gU) ops::gemm(true, false, H, H, B, 1.0f, rh, H, da + 2 * H, 3 * H, 1.0f, gU + 2 * H, 3 * H);
  ops::gru_reset_backward(B, H, gates, h, g_rh, da, gh);  // block r of da
  if (gh) ops::gemm(false, true, B, H, 2 * H, 1.0f, da, 3 * H, U, 3 * H, 1.0f, gh, H);
  if (gU) ops::gemm(true, false, H, 2 * H, B, 1.0f, h, H, da, 3 * H, 1.0f, gU, 3 * H);
  input_backward(c, B, 3 * H, da);
}

// ---- GRU, reset after the product (cuDNN / PyTorch) ---------------------------------------------------------------

namespace {
Var gru_after(std::span<const Var> in, bool projected) {
  Tape& tape = Tape::common_tape("gru_cell_reset_after", in);
  const auto [B, H] = check_cell(OpCode::GRUCellResetAfter, projected, in, 3, false, true);
  const std::size_t s = side_inputs(projected);
  OpParams p;
  p.projected = projected;
  Var y = tape.record(OpCode::GRUCellResetAfter, in, Shape{B, H}, p);
  float* gates = tape.save_floats(y, static_cast<std::size_t>(6 * B * H));  // [gates (B×3H) | u (B×3H)]
  float* u = gates + 3 * B * H;
  const float* h = in[s].value().data;
  const float* b_hn = in[s + 2].value().data;
  input_forward(in, projected, B, 3 * H, gates);
  ops::gemm(false, false, B, 3 * H, H, 1.0f, h, H, in[s + 1].value().data, 3 * H, 0.0f, u, 3 * H);  // u = h·W_hh
  for (index_t r = 0; r < B; ++r) ops::axpy(H, 1.0f, b_hn, u + r * 3 * H + 2 * H);                  // u_n += b_hn
  ops::gru_after_forward(B, H, gates, u, h, tape.mutable_value(y));
  return y;
}
}  // namespace

Var gru_cell_reset_after(Var x, Var h, Var W_ih, Var W_hh, Var b, Var b_hn) {
  const Var in[] = {x, W_ih, b, h, W_hh, b_hn};
  return gru_after(in, false);
}
Var gru_cell_reset_after_projected(Var xw, Var h, Var W_hh, Var b_hn) {
  const Var in[] = {xw, h, W_hh, b_hn};
  return gru_after(in, true);
}
void backward_GRUCellResetAfter(const BackwardContext& c) {
  const std::size_t s = side_inputs(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  const float* gates = c.node().saved;
  const float* h = c.input_value(s);
  float* da = c.scratch(static_cast<std::size_t>(3 * B * H));
  float* du = c.scratch(static_cast<std::size_t>(3 * B * H));
  ops::gru_after_backward(B, H, gates, gates + 3 * B * H, h, c.grad(), da, du, c.input_grad(s));
  if (float* gh = c.input_grad(s))
    ops::gemm(false, true, B, H, 3 * H, 1.0f, du, 3 * H, c.input_value(s + 1), 3 * H, 1.0f, gh, H);
  if (float* gw = c.input_grad(s + 1)) ops::gemm(true, false, H, 3 * H, B, 1.0f, h, H, du, 3 * H, 1.0f, gw, 3 * H);
  if (float* gb_hn = c.input_grad(s + 2))
    for (index_t r = 0; r < B; ++r) ops::axpy(H, 1.0f, du + r * 3 * H + 2 * H, gb_hn);
  input_backward(c, B, 3 * H, da);
}

// ---- Elman RNN ----------------------------------------------------------------------------------------------------

namespace {
Var rnn(std::span<const Var> in, bool projected, bool relu) {
  Tape& tape = Tape::common_tape("rnn_cell", in);
  const auto [B, H] = check_cell(OpCode::RNNCell, projected, in, 1, false, false);
  const std::size_t s = side_inputs(projected);
  OpParams p;
  p.projected = projected;
  p.relu = relu;
  Var y = tape.record(OpCode::RNNCell, in, Shape{B, H}, p);
  float* a = tape.mutable_value(y);  // pre-activation, then h' in place
  input_forward(in, projected, B, H, a);
  ops::gemm(false, false, B, H, H, 1.0f, in[s].value().data, H, in[s + 1].value().data, H, 1.0f, a, H);
  if (relu)
    ops::relu(B * H, a, a);
  else
    ops::tanh(B * H, a, a);
  return y;
}
}  // namespace

Var rnn_cell(Var x, Var h, Var W_ih, Var W_hh, Var b, bool relu) {
  const Var in[] = {x, W_ih, b, h, W_hh};
  return rnn(in, false, relu);
}
Var rnn_cell_projected(Var xw, Var h, Var W_hh, bool relu) {
  const Var in[] = {xw, h, W_hh};
  return rnn(in, true, relu);
}
void backward_RNNCell(const BackwardContext& c) {
  const std::size_t s = side_inputs(c.params().projected);
  const index_t B = c.shape()[0], H = c.shape()[1];
  float* da = c.scratch(static_cast<std::size_t>(B * H));
  ops::fill(B * H, 0.0f, da);
  if (c.params().relu)  // relu'(a) = [a > 0] = [h' > 0]
    ops::relu_backward_acc(B * H, c.value(), c.grad(), da);
  else  // tanh'(a) = 1 − h'²
    ops::tanh_backward_acc(B * H, c.value(), c.grad(), da);
  if (float* gh = c.input_grad(s)) ops::gemm(false, true, B, H, H, 1.0f, da, H, c.input_value(s + 1), H, 1.0f, gh, H);
  if (float* gw = c.input_grad(s + 1)) ops::gemm(true, false, H, H, B, 1.0f, c.input_value(s), H, da, H, 1.0f, gw, H);
  input_backward(c, B, H, da);
}

}  // namespace tapegrad::autograd
