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
#include <utility>
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
inline vfloat select_positive(const vfloat& x, const vfloat& v) {
  return xsimd::select(x > vfloat(0.0f), v, vfloat(0.0f));
}
inline float hsum(const vfloat& v) { return xsimd::hadd(v); }
// Tells the compiler that v must live in a register from here on. Without it GCC may fold a vector's load into
// every FMA that uses it — one load per use instead of one per vector — which starves a register-tiled kernel.
inline void pin(vfloat& v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm("" : "+v"(v.data));
#else
  (void)v;
#endif
}
inline float hmax(const vfloat& v) {
  alignas(64) float lanes[vfloat::size];
  v.store_aligned(lanes);
  float m = lanes[0];
  for (std::size_t i = 1; i < vfloat::size; ++i) m = lanes[i] > m ? lanes[i] : m;
  return m;
}

// Transposes a kWidth × kWidth block: rows[r] holds row r on entry and column r on exit. With AVX-512 this is the
// four-stage in-register shuffle network (64 shuffles for 256 floats), with AVX(2) its three-stage 8×8 form; other
// widths use plain element moves.
void transpose_square(vfloat rows[]);

// Calls vector_body(i) for i = 0, W, 2W, … while a whole vector fits in [0, n), then scalar_body(i) for the rest.
template <class VectorBody, class ScalarBody>
inline void for_each(index_t n, VectorBody&& vector_body, ScalarBody&& scalar_body) {
  index_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vector_body(i);
  for (; i < n; ++i) scalar_body(i);
}

inline void transpose_square(vfloat rows[]) {
#if defined(__AVX512F__)
  static_assert(kWidth == 16);
  // Stage 1: interleave the 32-bit elements of row pairs; 2: the 64-bit pairs of those; 3 and 4: the 128-bit lanes.
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = rows[i];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
    r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
  }
  for (int i = 0; i < 16; ++i) rows[i] = r[i];
#elif defined(__AVX__)
  static_assert(kWidth == 8);
  // The same network one stage shorter: 32-bit and 64-bit interleaves within 128-bit lanes, then the lanes.
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = rows[i];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t[i]), _mm256_castps_pd(t[i + 2])));
    r[i + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t[i]), _mm256_castps_pd(t[i + 2])));
    r[i + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t[i + 1]), _mm256_castps_pd(t[i + 3])));
    r[i + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t[i + 1]), _mm256_castps_pd(t[i + 3])));
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);      // low lanes: rows i of the top half, i+4 below
    t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);  // high lanes
  }
  for (int i = 0; i < 8; ++i) rows[i] = t[i];
#else
  alignas(64) float block[kWidth * kWidth];
  for (index_t r = 0; r < kWidth; ++r) store(block + r * kWidth, rows[r]);
  for (index_t r = 0; r < kWidth; ++r)
    for (index_t c = r + 1; c < kWidth; ++c) std::swap(block[r * kWidth + c], block[c * kWidth + r]);
  for (index_t r = 0; r < kWidth; ++r) rows[r] = load(block + r * kWidth);
#endif
}

}  // namespace tapegrad::simd
