// Fused pointwise passes of the LSTM and GRU cells (see recurrent.hpp for the equations). Each kernel walks the rows
// (in parallel above the size threshold; rows are independent, so the result does not depend on the thread count)
// and, within a row, the H columns of every gate block at once: vectors of W columns, then a scalar tail. One body,
// written once, serves both widths through the Lanes policy below.
#include "ops/recurrent.hpp"

#include <cmath>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

// Load, store and constants for a vector of lanes (Vector) or a single float (Scalar).
struct Vector {
  static vfloat ld(const float* p) { return simd::load(p); }
  static void st(float* p, const vfloat& v) { simd::store(p, v); }
  static vfloat k(float x) { return vfloat(x); }
  static vfloat sigmoid(const vfloat& x) { return simd::sigmoid(x); }
  static vfloat tanh(const vfloat& x) { return simd::tanh(x); }
};
struct Scalar {
  static float ld(const float* p) { return *p; }
  static void st(float* p, float v) { *p = v; }
  static float k(float x) { return x; }
  static float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
  static float tanh(float x) { return std::tanh(x); }
};

// Calls body(Lanes{}, r, j) for every row r and every column j of a row in steps of the lane width.
template <class Body>
void for_rows(index_t rows, index_t hidden, Body&& body) {
  const int threads = threads_for(rows * hidden);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r)
    simd::for_each(
        hidden, [&](index_t j) { body(Vector{}, r, j); }, [&](index_t j) { body(Scalar{}, r, j); });
}

}  // namespace

void lstm_forward(index_t rows, index_t hidden, float* gates, const float* c_prev, float* c, float* tanh_c, float* h) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    float* g = gates + r * 4 * H + j;
    const index_t s = r * H + j;
    const auto i = L::sigmoid(L::ld(g)), f = L::sigmoid(L::ld(g + H)), cand = L::tanh(L::ld(g + 2 * H)),
               o = L::sigmoid(L::ld(g + 3 * H));
    const auto cell = f * L::ld(c_prev + s) + i * cand;
    const auto tc = L::tanh(cell);
    L::st(g, i);
    L::st(g + H, f);
    L::st(g + 2 * H, cand);
    L::st(g + 3 * H, o);
    L::st(c + s, cell);
    L::st(tanh_c + s, tc);
    L::st(h + s, o * tc);
  });
}

void lstm_backward(index_t rows, index_t hidden, const float* gates, const float* c_prev, const float* tanh_c,
                   const float* gh, const float* gc, float* dz, float* gc_prev) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    const float* g = gates + r * 4 * H + j;
    float* d = dz + r * 4 * H + j;
    const index_t s = r * H + j;
    const auto one = L::k(1.0f), zero = L::k(0.0f);
    const auto i = L::ld(g), f = L::ld(g + H), cand = L::ld(g + 2 * H), o = L::ld(g + 3 * H);
    const auto tc = L::ld(tanh_c + s);
    const auto dh = gh ? L::ld(gh + s) : zero;
    const auto dc = (gc ? L::ld(gc + s) : zero) + dh * o * (one - tc * tc);
    L::st(d, dc * cand * i * (one - i));
    L::st(d + H, dc * L::ld(c_prev + s) * f * (one - f));
    L::st(d + 2 * H, dc * i * (one - cand * cand));
    L::st(d + 3 * H, dh * tc * o * (one - o));
    if (gc_prev) L::st(gc_prev + s, L::ld(gc_prev + s) + dc * f);
  });
}

void gru_gates_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* rh) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    float* g = gates + r * 3 * H + j;
    const index_t s = r * H + j;
    const auto reset = L::sigmoid(L::ld(g));
    L::st(g, reset);
    L::st(g + H, L::sigmoid(L::ld(g + H)));
    L::st(rh + s, reset * L::ld(h_prev + s));
  });
}

void gru_output_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* h) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    float* g = gates + r * 3 * H + j;
    const index_t s = r * H + j;
    const auto z = L::ld(g + H), n = L::tanh(L::ld(g + 2 * H));
    L::st(g + 2 * H, n);
    L::st(h + s, (L::k(1.0f) - z) * L::ld(h_prev + s) + z * n);
  });
}

void gru_output_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* gh,
                         float* da, float* gh_prev) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    const float* g = gates + r * 3 * H + j;
    float* d = da + r * 3 * H + j;
    const index_t s = r * H + j;
    const auto one = L::k(1.0f);
    const auto z = L::ld(g + H), n = L::ld(g + 2 * H), hp = L::ld(h_prev + s), dh = L::ld(gh + s);
    L::st(d + H, dh * (n - hp) * z * (one - z));
    L::st(d + 2 * H, dh * z * (one - n * n));
    if (gh_prev) L::st(gh_prev + s, L::ld(gh_prev + s) + dh * (one - z));
  });
}

void gru_reset_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* g_rh,
                        float* da, float* gh_prev) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    const float* g = gates + r * 3 * H + j;
    const index_t s = r * H + j;
    const auto reset = L::ld(g), d_rh = L::ld(g_rh + s);
    L::st(da + r * 3 * H + j, d_rh * L::ld(h_prev + s) * reset * (L::k(1.0f) - reset));
    if (gh_prev) L::st(gh_prev + s, L::ld(gh_prev + s) + d_rh * reset);
  });
}

void gru_after_forward(index_t rows, index_t hidden, float* gates, const float* u, const float* h_prev, float* h) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    float* g = gates + r * 3 * H + j;
    const float* ur = u + r * 3 * H + j;
    const index_t s = r * H + j;
    const auto reset = L::sigmoid(L::ld(g) + L::ld(ur));
    const auto z = L::sigmoid(L::ld(g + H) + L::ld(ur + H));
    const auto n = L::tanh(L::ld(g + 2 * H) + reset * L::ld(ur + 2 * H));
    L::st(g, reset);
    L::st(g + H, z);
    L::st(g + 2 * H, n);
    L::st(h + s, (L::k(1.0f) - z) * L::ld(h_prev + s) + z * n);
  });
}

void gru_after_backward(index_t rows, index_t hidden, const float* gates, const float* u, const float* h_prev,
                        const float* gh, float* da, float* du, float* gh_prev) {
  const index_t H = hidden;
  for_rows(rows, H, [&](auto lanes, index_t r, index_t j) {
    using L = decltype(lanes);
    const float* g = gates + r * 3 * H + j;
    const index_t row = r * 3 * H + j, s = r * H + j;
    const auto one = L::k(1.0f);
    const auto reset = L::ld(g), z = L::ld(g + H), n = L::ld(g + 2 * H);
    const auto hp = L::ld(h_prev + s), dh = L::ld(gh + s), u_n = L::ld(u + row + 2 * H);
    const auto dn = dh * z * (one - n * n);
    const auto dz = dh * (n - hp) * z * (one - z);
    const auto dr = dn * u_n * reset * (one - reset);
    L::st(da + row, dr);
    L::st(da + row + H, dz);
    L::st(da + row + 2 * H, dn);
    L::st(du + row, dr);
    L::st(du + row + H, dz);
    L::st(du + row + 2 * H, dn * reset);
    if (gh_prev) L::st(gh_prev + s, L::ld(gh_prev + s) + dh * (one - z));
  });
}

}  // namespace tapegrad::ops
