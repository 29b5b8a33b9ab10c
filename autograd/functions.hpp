// The differentiable operations: each records one node on the inputs' tape, computes its value at once, and has a
// backward rule defined next to it (autograd/ops_*.cpp). Shapes are row-major; "rows × cols" below means a tensor
// seen as a matrix whose cols is the last dimension. Shape mistakes throw ShapeError naming the op and the shapes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

// ---- Elementwise (ops_pointwise.cpp); binary ops need equal shapes --------------------------------------------------
Var add(Var a, Var b);           // a + b
Var sub(Var a, Var b);           // a − b
Var mul(Var a, Var b);           // a ⊙ b
Var div(Var a, Var b);           // a ⊘ b
Var neg(Var x);                  // −x
Var scale(Var x, float alpha);   // α·x
Var add_scalar(Var x, float c);  // x + c
Var tanh(Var x);                 // tanh x, one fused node
Var sigmoid(Var x);              // σ(x) = 1/(1+e^{−x}), one fused node
Var relu(Var x);                 // max(x, 0)
Var exp(Var x);                  // e^x
Var log(Var x);                  // ln x

// The same nonlinearities composed of primitives, every step a node of its own (for study, and as the twins the
// fused forms are tested against):
Var sigmoid_composite(Var x);  // 1 ⊘ (1 + exp(−x))
Var tanh_composite(Var x);     // 2σ(2x) − 1

inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator-(Var x) { return neg(x); }
inline Var operator*(Var x, float alpha) { return scale(x, alpha); }
inline Var operator*(float alpha, Var x) { return scale(x, alpha); }
inline Var operator/(Var x, float alpha) { return scale(x, 1.0f / alpha); }
inline Var operator+(Var x, float c) { return add_scalar(x, c); }
inline Var operator+(float c, Var x) { return add_scalar(x, c); }
inline Var operator-(Var x, float c) { return add_scalar(x, -c); }
inline Var operator-(float c, Var x) { return add_scalar(neg(x), c); }

// ---- Linear algebra (ops_linear.cpp) --------------------------------------------------------------------------------
// C = op(A) · op(B). Without transpose_a, A may have any rank ≥ 1: it is seen as rows × k (a batch of sequences
// times a weight matrix) and C keeps A's leading dimensions. B is rank 2.
Var matmul(Var a, Var b, bool transpose_a = false, bool transpose_b = false);
// x (… × cols) + b (cols): the bias row added to every row.
Var add_bias(Var x, Var b);
// A linear layer as one node: x (… × in) · W + b, with W stored in × out (or out × in when transpose_w: x·Wᵀ + b,
// e.g. a decoder tied to an embedding table). The bias is added by the GEMM as it writes the output, so the node
// costs one pass over its (possibly large) output instead of two. Same gradients as add_bias(matmul(x, W), b).
Var linear(Var x, Var W, Var b, bool transpose_w = false);
// x (rows × cols) → xᵀ (cols × rows); rank 2.
Var transpose(Var x);

// ---- Shape (ops_shape.cpp) ------------------------------------------------------------------------------------------
Var reshape(Var x, const Shape& shape);  // same elements, new shape (no copy)
Var concat(std::span<const Var> parts);  // along the last dimension; leading dims must agree
inline Var concat(std::initializer_list<Var> parts) {
  return concat(std::span<const Var>(parts.begin(), parts.size()));
}
Var slice(Var x, index_t begin, index_t width);                  // x[…, begin : begin + width]
std::vector<Var> split(Var x, std::span<const index_t> widths);  // consecutive slices whose widths sum to cols
inline std::vector<Var> split(Var x, std::initializer_list<index_t> widths) {
  return split(x, std::span<const index_t>(widths.begin(), widths.size()));
}
// x (n × …) → x[index] (…): one item along the first dimension, a view (no copy). With a stack of time steps
// (T × B × H), select(x, t) is step t.
Var select(Var x, index_t index);
// n values of one shape S → (n × S), in order: the inverse of select.
Var stack(std::span<const Var> parts);
inline Var stack(std::initializer_list<Var> parts) { return stack(std::span<const Var>(parts.begin(), parts.size())); }
// The same value as a node that stops gradients (truncated BPTT within one tape). Across tape.clear(), copy the
// value out with to_tensor() and bring it back with tape.constant().
Var detach(Var x);

// ---- Lookup (ops_embedding.cpp) -------------------------------------------------------------------------------------
// table (vocab × dim), ids (n) → (n × dim): row ids[i] of the table. The backward rule adds into the rows used.
Var embedding(Var table, std::span<const std::int32_t> ids);

// ---- Softmax and loss (ops_softmax.cpp) ---------------------------------------------------------------------------
Var softmax(Var x);      // along the last dimension
Var log_softmax(Var x);  // along the last dimension
// Mean over rows of −log softmax(logits)[r, targets[r]], fused (the probabilities are never stored).
// logits (rows × vocab), targets (rows) with each in [0, vocab). Result: a scalar.
Var cross_entropy(Var logits, std::span<const std::int32_t> targets);

// ---- Reductions (ops_reduce.cpp) ------------------------------------------------------------------------------------
Var sum(Var x);   // Σ x → scalar
Var mean(Var x);  // Σ x / numel → scalar

// ---- Sequences of different lengths (ops_sequence.cpp) --------------------------------------------------------------
// A padded batch is time-major: x (T × B × H), step t of sequence b at x[t, b], real only for t < lengths[b].
// Row r of the result is a's row where take_a[r] ≠ 0, else b's (a, b: same shape, rows = all but the last dim).
// A masked recurrence step: where_rows(active, new_state, old_state) — a padded step changes no state, and no
// gradient reaches the new state's inputs through it.
Var where_rows(std::span<const std::int32_t> take_a, Var a, Var b);
// Pooling over each sequence's real steps: x (T × B × H), lengths (B, each in [1, T]) → (B × H).
Var time_mean(Var x, std::span<const std::int32_t> lengths);  // (1/L_b) Σ_{t<L_b} x[t, b]
Var time_max(Var x, std::span<const std::int32_t> lengths);   // max_{t<L_b} x[t, b], per feature

// ---- Fused recurrent cells (ops_recurrent.cpp): one node per time step, gate products as one GEMM -----------------
// Shapes: x (B × I), h and c (B × H); W_ih (I × nH), W_hh (H × nH), b (nH), with n gate blocks of H columns each.
// The input side x·W_ih + b may instead be computed outside, for all time steps at once, and passed as xw (B × nH)
// to the *_projected forms. Each is tested against the same cell composed of primitives (nn/ cells). A cell's node
// records its operands in the order of the arguments, so a dump reads like the call.
//
// LSTM, gate blocks i, f, g, o:  z = x W_ih + h W_hh + b;  i, f, o = σ(z_i, z_f, z_o);  g = tanh(z_g)
//   c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c').   Returns (2 × B × H): select(·, 0) = h', select(·, 1) = c'.
Var lstm_cell(Var x, Var h, Var c, Var W_ih, Var W_hh, Var b);
Var lstm_cell_projected(Var xw, Var h, Var c, Var W_hh);
// GRU with the reset gate applied to h before the product, as in Cho et al. (2014) (but z = 1 here takes the
// candidate n), gate blocks r, z, n:
//   r, z = σ(x W_ir + h U_r + b_r, x W_iz + h U_z + b_z);  n = tanh(x W_in + (r ⊙ h) U_n + b_n)
//   h' = (1 − z) ⊙ h + z ⊙ n.   Returns h' (B × H).
Var gru_cell(Var x, Var h, Var W_ih, Var W_hh, Var b);
Var gru_cell_projected(Var xw, Var h, Var W_hh);
// GRU with the reset applied after the product (cuDNN, PyTorch): n = tanh(x W_in + b_n + r ⊙ (h U_n + b_hn)),
// r and z as above, b_hn (H). Returns h' (B × H).
Var gru_cell_reset_after(Var x, Var h, Var W_ih, Var W_hh, Var b, Var b_hn);
Var gru_cell_reset_after_projected(Var xw, Var h, Var W_hh, Var b_hn);
// Elman RNN: h' = act(x W_ih + h W_hh + b), act = tanh (or relu). Returns h' (B × H).
Var rnn_cell(Var x, Var h, Var W_ih, Var W_hh, Var b, bool relu = false);
Var rnn_cell_projected(Var xw, Var h, Var W_hh, bool relu = false);

// W_hh (H × G) as the recurrent weights of one unrolled run of the fused cells above, whose steps have `rows` rows
// (recurrent_weights.cpp). Its value is W_hh's. The cells that read W_hh through it do not add their shares
// h_{t−1}ᵀ·dA_t of ∂J/∂W_hh one step at a time (a GEMM with k = rows each): every `chunk` steps one GEMM with
// k = chunk·rows adds them together. The same sum in another order (other rounding), deterministic; the memory kept
// is (chunk·rows) × (2H + G) floats. nn::unroll records one per fused run, with recurrent_chunk_steps().
Var recurrent_weights(Var W_hh, index_t rows, index_t chunk);
// The chunk for a run of `steps` steps of `rows` rows: at least 2·kc rows per product (kc: the GEMM's k step on this
// CPU, ops::gemm_blocking()), chunks as even as possible (35 steps of 20 rows with kc = 320: chunks of 18 and 17).
index_t recurrent_chunk_steps(index_t steps, index_t rows);

}  // namespace tapegrad::autograd
