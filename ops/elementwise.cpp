// Elementwise arithmetic over n contiguous floats: one generic lambda per kernel, run on simd::vfloat over whole
// vectors and on float over the tail. Large arrays are cut into fixed blocks shared out by OpenMP.
#include "ops/elementwise.hpp"

#include "ops/pointwise.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {

using pointwise::for_blocks;
using pointwise::map;

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

void scaled_axpy(index_t n, float alpha, float s, const float* x, float* y) {
  map(
      n, y, [alpha, s](auto v, auto acc) { return acc + decltype(v)(alpha) * (decltype(v)(s) * v); }, x, y);
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
