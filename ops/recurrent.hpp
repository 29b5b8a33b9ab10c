// The pointwise parts of the fused recurrent cells: the gate nonlinearities and state updates of one time step, in
// one pass over rows × hidden, and their backward rules. The matrix products around them are GEMMs done by the
// caller (autograd/ops_recurrent.cpp). Row-major throughout; H = hidden size; a "gate block" k of a rows × nH matrix
// is its columns [k·H, (k+1)·H).
#pragma once

#include "ops/shape.hpp"

namespace tapegrad::ops {

// ---- LSTM. Gate blocks in the order i, f, g, o (input, forget, candidate c̃, output). --------------------------------
// gates (rows×4H) holds the pre-activations on entry and the activations on exit:
//   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
//   c = f ⊙ c_prev + i ⊙ g,   tanh_c = tanh(c),   h = o ⊙ tanh_c                (c_prev, c, tanh_c, h: rows×H)
void lstm_forward(index_t rows, index_t hidden, float* gates, const float* c_prev, float* c, float* tanh_c, float* h);
// From gh = ∂J/∂h and gc = ∂J/∂c (rows×H; either may be null for zero):
//   dc = gc + gh ⊙ o ⊙ (1 − tanh_c²)
//   dz_i = dc ⊙ g ⊙ i(1 − i),  dz_f = dc ⊙ c_prev ⊙ f(1 − f),  dz_g = dc ⊙ i ⊙ (1 − g²),  dz_o = gh ⊙ tanh_c ⊙ o(1 − o)
// dz (rows×4H) is overwritten; gc_prev += dc ⊙ f unless gc_prev is null.
void lstm_backward(index_t rows, index_t hidden, const float* gates, const float* c_prev, const float* tanh_c,
                   const float* gh, const float* gc, float* dz, float* gc_prev);

// ---- GRU. Gate blocks in the order r, z, n (reset, update, candidate h̃). Update convention of Chung et al. (2014):
//      h = (1 − z) ⊙ h_prev + z ⊙ n   (z = 1 takes the candidate; PyTorch's z is 1 − ours).
//      ----------------------------
// "Reset before" (Cho et al.'s original form, n = tanh(x W_n + (r ⊙ h_prev) U_n + b_n)) needs a GEMM between its two halves:
// gates (rows×3H): blocks r, z hold pre-activations on entry, activations on exit (block n untouched);
//   r = σ(a_r), z = σ(a_z),  rh = r ⊙ h_prev                                           (rh: rows×H)
void gru_gates_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* rh);
// gates block n holds its pre-activation on entry and n = tanh(a_n) on exit;  h = (1 − z) ⊙ h_prev + z ⊙ n
void gru_output_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* h);
// From gh = ∂J/∂h: writes da_z = gh ⊙ (n − h_prev) ⊙ z(1 − z) and da_n = gh ⊙ z ⊙ (1 − n²) into blocks z and n of
// da (rows×3H); gh_prev += gh ⊙ (1 − z) unless null.
void gru_output_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* gh,
                         float* da, float* gh_prev);
// From g_rh = ∂J/∂(r ⊙ h_prev): writes da_r = g_rh ⊙ h_prev ⊙ r(1 − r) into block r of da; gh_prev += g_rh ⊙ r
// unless null.
void gru_reset_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* g_rh,
                        float* da, float* gh_prev);
// "Reset after" (cuDNN / PyTorch): n = tanh(a_n + r ⊙ u_n), where a = x W + b and u = h_prev U + b_u (rows×3H each):
//   r = σ(a_r + u_r),  z = σ(a_z + u_z),  n = tanh(a_n + r ⊙ u_n),  h = (1 − z) ⊙ h_prev + z ⊙ n
// gates (rows×3H) holds a on entry and the activations r, z, n on exit.
void gru_after_forward(index_t rows, index_t hidden, float* gates, const float* u, const float* h_prev, float* h);
// From gh: da (rows×3H) = [dr, dz, dn] (the gradients of the three pre-activation sums), du (rows×3H) = [dr, dz, dn ⊙
// r] with dn = gh ⊙ z ⊙ (1 − n²), dz = gh ⊙ (n − h_prev) ⊙ z(1 − z), dr = dn ⊙ u_n ⊙ r(1 − r); both overwritten.
// gh_prev += gh ⊙ (1 − z) unless null.
void gru_after_backward(index_t rows, index_t hidden, const float* gates, const float* u, const float* h_prev,
                        const float* gh, float* da, float* du, float* gh_prev);

}  // namespace tapegrad::ops
