// Initialisers: uniform, normal, Xavier/Glorot and orthogonal, all from a seeded Rng.
#include "nn/init.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "ops/error.hpp"

namespace tapegrad::nn::init {

void constant(Tensor& t, float value) { t.fill(value); }

void uniform(Tensor& t, float lo, float hi, Rng& rng) {
  for (index_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
}

void normal(Tensor& t, float mean, float stddev, Rng& rng) {
  for (index_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(mean, stddev);
}

void xavier_uniform(Tensor& t, Rng& rng, float gain) {
  if (t.shape().rank() != 2)
    throw ShapeError("init::xavier_uniform: needs a fan_in × fan_out matrix, got " + t.shape().str());
  const double fan_in = static_cast<double>(t.shape()[0]), fan_out = static_cast<double>(t.shape()[1]);
  const auto a = static_cast<float>(gain * std::sqrt(6.0 / (fan_in + fan_out)));
  uniform(t, -a, a, rng);
}

namespace {

// Orthonormalises the n vectors of length len stored consecutively in v (modified Gram–Schmidt, n ≤ len).
// A vector that collapses (probability zero for normal draws) is redrawn.
void gram_schmidt(std::vector<double>& v, index_t n, index_t len, Rng& rng) {
  for (index_t i = 0; i < n; ++i) {
    double* vi = v.data() + i * len;
    for (int attempt = 0;; ++attempt) {
      for (index_t j = 0; j < i; ++j) {
        const double* vj = v.data() + j * len;
        double dot = 0;
        for (index_t k = 0; k < len; ++k) dot += vi[k] * vj[k];
        for (index_t k = 0; k < len; ++k) vi[k] -= dot * vj[k];
      }
      double norm = 0;
      for (index_t k = 0; k < len; ++k) norm += vi[k] * vi[k];
      norm = std::sqrt(norm);
      if (norm > 1e-6) {
        for (index_t k = 0; k < len; ++k) vi[k] /= norm;
        break;
      }
      if (attempt == 8) throw Error("init::orthogonal: could not draw independent vectors");
      for (index_t k = 0; k < len; ++k) vi[k] = rng.normal();
    }
  }
}

// Writes an orthogonal block into t[:, col0 : col0 + cols] (t has ld columns).
void orthogonal_block(Tensor& t, index_t col0, index_t cols, Rng& rng, float gain) {
  const index_t rows = t.shape()[0], ld = t.shape()[1];
  // Orthonormalise along the longer side: the columns when rows ≥ cols, else the rows.
  const bool by_columns = rows >= cols;
  const index_t n = by_columns ? cols : rows, len = by_columns ? rows : cols;
  std::vector<double> v(static_cast<std::size_t>(n * len));
  for (double& x : v) x = rng.normal();
  gram_schmidt(v, n, len, rng);
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) {
      const double x = by_columns ? v[static_cast<std::size_t>(c * len + r)] : v[static_cast<std::size_t>(r * len + c)];
      t[r * ld + col0 + c] = static_cast<float>(gain * x);
    }
}

}  // namespace

void orthogonal(Tensor& t, Rng& rng, float gain) {
  if (t.shape().rank() != 2) throw ShapeError("init::orthogonal: needs a matrix, got " + t.shape().str());
  orthogonal_block(t, 0, t.shape()[1], rng, gain);
}

void orthogonal_blocks(Tensor& t, index_t width, Rng& rng, float gain) {
  if (t.shape().rank() != 2 || width <= 0 || t.shape()[1] % width != 0)
    throw ShapeError("init::orthogonal_blocks: blocks of width " + std::to_string(width) +
                     " do not tile the columns of " + t.shape().str());
  for (index_t c = 0; c < t.shape()[1]; c += width) orthogonal_block(t, c, width, rng, gain);
}

}  // namespace tapegrad::nn::init
