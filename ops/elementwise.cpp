// Elementwise arithmetic over n contiguous floats: one generic lambda per kernel, run on simd::vfloat over whole
// vectors and on float over the tail. Large arrays are cut into fixed blocks shared out by OpenMP.
#include "ops/elementwise.hpp"

#include <algorithm>

#include "ops/parallel.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

// Elements per parallel block: a multiple of every SIMD width, so only the last block has a scalar tail and each
// element takes the same path (vector or scalar) whatever the thread count.
constexpr index_t kBlock = 4096;

// body(begin, count) over [0, n) in blocks of kBlock; threads take contiguous runs of blocks (static schedule).
template <class Body>
void for_blocks(index_t n, Body&& body) {
  const index_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n > kParallelThreshold)
  for (index_t b = 0; b < blocks; ++b) body(b * kBlock, std::min(kBlock, n - b * kBlock));
}

// y[i] = f(in[i]...) for every input pointer in `in`; f is generic over float and simd::vfloat.
template <class F, class... In>
void map(index_t n, float* y, F f, const In*... in) {
  for_blocks(n, [&](index_t lo, index_t len) {
    float* yb = y + lo;
    simd::for_each(
        len, [&](index_t i) { simd::store(yb + i, f(simd::load(in + lo + i)...)); },
        [&](index_t i) { yb[i] = f(in[lo + i]...); });
  });
}

}  // namespace

void add(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q) { return p + q; }, a, b);
}

void sub(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q) { return p - q; }, a, b);
}

void mul(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q) { return p * q; }, a, b);
}

void div(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q) { return p / q; }, a, b);
}

void neg(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return -v; }, x);
}

void scale(index_t n, float alpha, const float* x, float* y) {
  map(
      n, y, [alpha](auto v) { return decltype(v)(alpha) * v; }, x);
}

void add_scalar(index_t n, float c, const float* x, float* y) {
  map(
      n, y, [c](auto v) { return v + decltype(v)(c); }, x);
}

void fill(index_t n, float value, float* y) {
  const simd::vfloat v = simd::broadcast(value);
  for_blocks(n, [&](index_t lo, index_t len) {
    float* yb = y + lo;
    simd::for_each(
        len, [&](index_t i) { simd::store(yb + i, v); }, [&](index_t i) { yb[i] = value; });
  });
}

void axpy(index_t n, float alpha, const float* x, float* y) {
  map(
      n, y, [alpha](auto v, auto acc) { return acc + decltype(v)(alpha) * v; }, x, y);
}

void mul_acc(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q, auto acc) { return acc + p * q; }, a, b, y);
}

void div_acc(index_t n, const float* a, const float* b, float* y) {
  map(
      n, y, [](auto p, auto q, auto acc) { return acc + p / q; }, a, b, y);
}

void add_scalar_acc(index_t n, float c, float* y) {
  map(
      n, y, [c](auto acc) { return acc + decltype(acc)(c); }, static_cast<const float*>(y));
}

// gb −= gq ⊙ q ⊘ b
void div_rhs_backward_acc(index_t n, const float* gq, const float* q, const float* b, float* gb) {
  map(
      n, gb, [](auto g, auto qv, auto bv, auto acc) { return acc - g * qv / bv; }, gq, q, b,
      static_cast<const float*>(gb));
}

}  // namespace tapegrad::ops
