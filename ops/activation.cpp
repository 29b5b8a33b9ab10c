// Pointwise nonlinearities and their backward rules. Each has a vector form (xsimd math through ops/simd.hpp) and a
// scalar form (<cmath>) for the tail; large arrays are cut into fixed blocks shared out by OpenMP.
#include "ops/activation.hpp"

#include <cmath>

#include "ops/pointwise.hpp"
#include "ops/simd.hpp"

namespace tapegrad::ops {
namespace {

using pointwise::map;
using simd::vfloat;

// The scalar and vector forms of each function, overloaded so one generic lambda serves both.
float tanh_of(float x) { return std::tanh(x); }
vfloat tanh_of(const vfloat& x) { return simd::tanh(x); }
float sigmoid_of(float x) { return 1.0f / (1.0f + std::exp(-x)); }
vfloat sigmoid_of(const vfloat& x) { return simd::sigmoid(x); }
float exp_of(float x) { return std::exp(x); }
vfloat exp_of(const vfloat& x) { return simd::exp(x); }
float log_of(float x) { return std::log(x); }
vfloat log_of(const vfloat& x) { return simd::log(x); }
// v where x > 0, else 0 (relu is positive_part(x, x))
float positive_part(float x, float v) { return x > 0.0f ? v : 0.0f; }
vfloat positive_part(const vfloat& x, const vfloat& v) { return simd::select_positive(x, v); }

}  // namespace

void tanh(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return tanh_of(v); }, x);
}

void sigmoid(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return sigmoid_of(v); }, x);
}

void relu(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return positive_part(v, v); }, x);
}

void exp(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return exp_of(v); }, x);
}

void log(index_t n, const float* x, float* y) {
  map(
      n, y, [](auto v) { return log_of(v); }, x);
}

// gx += gy ⊙ (1 − y²)
void tanh_backward_acc(index_t n, const float* y, const float* gy, float* gx) {
  map(
      n, gx,
      [](auto yv, auto g, auto acc) {
        using T = decltype(yv);
        return acc + g * (T(1.0f) - yv * yv);
      },
      y, gy, static_cast<const float*>(gx));
}

// gx += gy ⊙ y ⊙ (1 − y)
void sigmoid_backward_acc(index_t n, const float* y, const float* gy, float* gx) {
  map(
      n, gx,
      [](auto yv, auto g, auto acc) {
        using T = decltype(yv);
        return acc + g * yv * (T(1.0f) - yv);
      },
      y, gy, static_cast<const float*>(gx));
}

// gx += gy ⊙ [x > 0]
void relu_backward_acc(index_t n, const float* x, const float* gy, float* gx) {
  map(
      n, gx, [](auto xv, auto g, auto acc) { return acc + positive_part(xv, g); }, x, gy,
      static_cast<const float*>(gx));
}

}  // namespace tapegrad::ops
