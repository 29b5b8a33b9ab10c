// Row-wise softmax, log-softmax and the fused softmax + cross-entropy. Every row subtracts its maximum before
// exponentiating (e^{x−m} ≤ 1, so nothing overflows). Rows are independent: OpenMP splits rows, and each row's sums
// are computed by one thread in a fixed order (vector lanes, then the tail), so results do not depend on the thread
// count. The cross-entropy backward recomputes the probabilities from logits and lse instead of storing them.
#include "ops/softmax.hpp"

#include <cassert>
#include <cmath>
#include <limits>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using simd::vfloat;

// Σ_c term(c) over one row: vector_term(c) gives the lanes c…c+W−1, scalar_term(c) one tail element.
template <class VectorTerm, class ScalarTerm>
float row_sum(index_t cols, VectorTerm&& vector_term, ScalarTerm&& scalar_term) {
  vfloat acc = simd::broadcast(0.0f);
  float tail = 0.0f;
  simd::for_each(
      cols, [&](index_t c) { acc = acc + vector_term(c); }, [&](index_t c) { tail += scalar_term(c); });
  return simd::hsum(acc) + tail;
}

// max_c x[c]
float row_max(index_t cols, const float* x) {
  constexpr float kLowest = -std::numeric_limits<float>::infinity();
  vfloat vmax = simd::broadcast(kLowest);
  float smax = kLowest;
  simd::for_each(
      cols, [&](index_t c) { vmax = simd::max(vmax, simd::load(x + c)); },
      [&](index_t c) { smax = x[c] > smax ? x[c] : smax; });
  const float v = simd::hmax(vmax);
  return v > smax ? v : smax;
}

// Σ_c e^{x[c] − m}
float exp_sum(index_t cols, const float* x, float m) {
  const vfloat vm = simd::broadcast(m);
  return row_sum(
      cols, [&](index_t c) { return simd::exp(simd::load(x + c) - vm); },
      [&](index_t c) { return std::exp(x[c] - m); });
}

// y[c] = e^{x[c] − m}; returns Σ_c y[c]
float exp_store_sum(index_t cols, const float* x, float m, float* y) {
  const vfloat vm = simd::broadcast(m);
  return row_sum(
      cols,
      [&](index_t c) {
        const vfloat e = simd::exp(simd::load(x + c) - vm);
        simd::store(y + c, e);
        return e;
      },
      [&](index_t c) { return y[c] = std::exp(x[c] - m); });
}

// log Σ_c e^{x[c]}, computed as m + log Σ_c e^{x[c] − m} with m the row maximum
float row_lse(index_t cols, const float* x) {
  const float m = row_max(cols, x);
  return m + std::log(exp_sum(cols, x, m));
}

}  // namespace

// y[r,c] = e^{x[r,c] − m_r} / Σ_j e^{x[r,j] − m_r}
void softmax_rows(index_t rows, index_t cols, const float* x, float* y) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float inv = 1.0f / exp_store_sum(cols, xr, row_max(cols, xr), yr);
    const vfloat vinv = simd::broadcast(inv);
    simd::for_each(
        cols, [&](index_t c) { simd::store(yr + c, simd::load(yr + c) * vinv); }, [&](index_t c) { yr[c] *= inv; });
  }
}

// y[r,c] = (x[r,c] − m_r) − log Σ_j e^{x[r,j] − m_r}
void log_softmax_rows(index_t rows, index_t cols, const float* x, float* y) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float m = row_max(cols, xr);
    const float log_z = std::log(exp_sum(cols, xr, m));
    const vfloat vm = simd::broadcast(m), vlog_z = simd::broadcast(log_z);
    simd::for_each(
        cols, [&](index_t c) { simd::store(yr + c, (simd::load(xr + c) - vm) - vlog_z); },
        [&](index_t c) { yr[c] = (xr[c] - m) - log_z; });
  }
}

// gx[r,:] += y[r,:] ⊙ (gy[r,:] − ⟨gy[r,:], y[r,:]⟩)
void softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gyr = gy + r * cols;
    float* gxr = gx + r * cols;
    const float dot = row_sum(
        cols, [&](index_t c) { return simd::load(gyr + c) * simd::load(yr + c); },
        [&](index_t c) { return gyr[c] * yr[c]; });
    const vfloat vdot = simd::broadcast(dot);
    simd::for_each(
        cols,
        [&](index_t c) {
          simd::store(gxr + c, simd::load(gxr + c) + simd::load(yr + c) * (simd::load(gyr + c) - vdot));
        },
        [&](index_t c) { gxr[c] += yr[c] * (gyr[c] - dot); });
  }
}

// gx[r,:] += gy[r,:] − e^{y[r,:]} · Σ_j gy[r,j]
void log_softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gyr = gy + r * cols;
    float* gxr = gx + r * cols;
    const float total = row_sum(
        cols, [&](index_t c) { return simd::load(gyr + c); }, [&](index_t c) { return gyr[c]; });
    const vfloat vtotal = simd::broadcast(total);
    simd::for_each(
        cols,
        [&](index_t c) {
          simd::store(gxr + c, simd::load(gxr + c) + (simd::load(gyr + c) - simd::exp(simd::load(yr + c)) * vtotal));
        },
        [&](index_t c) { gxr[c] += gyr[c] - std::exp(yr[c]) * total; });
  }
}

// lse[r] = log Σ_j e^{logits[r,j]},  loss[r] = lse[r] − logits[r, targets[r]]
void softmax_xent_forward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets, float* loss,
                          float* lse) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* xr = logits + r * cols;
    assert(targets[r] >= 0 && targets[r] < cols);
    lse[r] = row_lse(cols, xr);
    loss[r] = lse[r] - xr[targets[r]];
  }
}

namespace {
// gx[r,c] (+)= scale · (e^{logits[r,c] − lse[r]} − [c == targets[r]]): accumulated into gx, or written over it
// (in place when gx == logits).
template <bool kAccumulate>
void xent_backward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets, const float* lse,
                   float scale, float* gx) {
  const int threads = threads_for(rows * cols);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (index_t r = 0; r < rows; ++r) {
    const float* xr = logits + r * cols;
    float* gxr = gx + r * cols;
    assert(targets[r] >= 0 && targets[r] < cols);
    const vfloat vlse = simd::broadcast(lse[r]), vscale = simd::broadcast(scale);
    simd::for_each(
        cols,
        [&](index_t c) {
          const vfloat g = vscale * simd::exp(simd::load(xr + c) - vlse);
          simd::store(gxr + c, kAccumulate ? simd::load(gxr + c) + g : g);
        },
        [&](index_t c) {
          const float g = scale * std::exp(xr[c] - lse[r]);
          gxr[c] = kAccumulate ? gxr[c] + g : g;
        });
    gxr[targets[r]] -= scale;
  }
}
}  // namespace

void softmax_xent_backward_acc(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                               const float* lse, float scale, float* gx) {
  xent_backward<true>(rows, cols, logits, targets, lse, scale, gx);
}

void softmax_xent_backward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                           const float* lse, float scale, float* gx) {
  xent_backward<false>(rows, cols, logits, targets, lse, scale, gx);
}

}  // namespace tapegrad::ops
