// The one place tapegrad touches xsimd: a float vector type of the widest width this build targets, the math on it,
// and a loop helper that runs a vector body over full vectors and a scalar body over the tail.
// With TAPEGRAD_NATIVE=ON the width follows -march=native (16 lanes with AVX-512); otherwise the baseline (SSE2: 4).
#pragma once

// GCC 12's AVX-512 intrinsics headers build "undefined" vectors as `__m512i __Y = __Y;`, which -W(maybe-)uninitialized
// reports wherever xsimd's exp/log/tanh get inlined (GCC bug 105593, fixed in GCC 13). Silence it for those headers
// only: the state at the header's own lines is what counts, so user code keeps the warning.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
#include <xsimd/xsimd.hpp>

#include "ops/shape.hpp"

namespace tapegrad::simd {

using vfloat = xsimd::batch<float>;
inline constexpr index_t kWidth = static_cast<index_t>(vfloat::size);

inline vfloat load(const float* p) { return vfloat::load_unaligned(p); }
inline void store(float* p, const vfloat& v) { v.store_unaligned(p); }
inline vfloat broadcast(float x) { return vfloat(x); }
inline vfloat fma(const vfloat& a, const vfloat& b, const vfloat& c) { return xsimd::fma(a, b, c); }  // a·b + c
inline vfloat max(const vfloat& a, const vfloat& b) { return xsimd::max(a, b); }
inline vfloat exp(const vfloat& x) { return xsimd::exp(x); }
inline vfloat log(const vfloat& x) { return xsimd::log(x); }
inline vfloat tanh(const vfloat& x) { return xsimd::tanh(x); }
inline vfloat sigmoid(const vfloat& x) { return vfloat(1.0f) / (vfloat(1.0f) + xsimd::exp(-x)); }
inline vfloat select_positive(const vfloat& x, const vfloat& v) { return xsimd::select(x > vfloat(0.0f), v, vfloat(0.0f)); }
inline float hsum(const vfloat& v) { return xsimd::hadd(v); }
inline float hmax(const vfloat& v) {
  alignas(64) float lanes[vfloat::size];
  v.store_aligned(lanes);
  float m = lanes[0];
  for (std::size_t i = 1; i < vfloat::size; ++i) m = lanes[i] > m ? lanes[i] : m;
  return m;
}

// Calls vector_body(i) for i = 0, W, 2W, … while a whole vector fits in [0, n), then scalar_body(i) for the rest.
template <class VectorBody, class ScalarBody>
inline void for_each(index_t n, VectorBody&& vector_body, ScalarBody&& scalar_body) {
  index_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vector_body(i);
  for (; i < n; ++i) scalar_body(i);
}

}  // namespace tapegrad::simd
