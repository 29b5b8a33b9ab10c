// Scalar twins of the kernels: the most obvious loops, no SIMD helpers, no threads. Sums that set the accuracy
// yardstick (sum, the softmax normalisers, gemm's dot products) accumulate in double. Tests trust these, so they are
// written to be checked by eye against the formulas in the kernel headers.
#include "ops/reference.hpp"

#include <cassert>
#include <cmath>

#include "ops/error.hpp"
#include "ops/reduce.hpp"  // kSquaresChunk

namespace tapegrad::ops::ref {

// ---- elementwise ----

void add(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}
void sub(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = a[i] - b[i];
}
void mul(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}
void div(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = a[i] / b[i];
}
void neg(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = -x[i];
}
void scale(index_t n, float alpha, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = alpha * x[i];
}
void add_scalar(index_t n, float c, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = x[i] + c;
}
void fill(index_t n, float value, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = value;
}
void axpy(index_t n, float alpha, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}
void scaled_axpy(index_t n, float alpha, float s, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) {
    const float sx = s * x[i];
    y[i] += alpha * sx;
  }
}
void mul_acc(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] += a[i] * b[i];
}
void div_acc(index_t n, const float* a, const float* b, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] += a[i] / b[i];
}
void add_scalar_acc(index_t n, float c, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] += c;
}
void div_rhs_backward_acc(index_t n, const float* gq, const float* q, const float* b, float* gb) {
  for (index_t i = 0; i < n; ++i) gb[i] -= gq[i] * q[i] / b[i];
}

// ---- activations ----

void tanh(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void sigmoid(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}
void relu(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void exp(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}
void log(index_t n, const float* x, float* y) {
  for (index_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
}
void tanh_backward_acc(index_t n, const float* y, const float* gy, float* gx) {
  for (index_t i = 0; i < n; ++i) gx[i] += gy[i] * (1.0f - y[i] * y[i]);
}
void sigmoid_backward_acc(index_t n, const float* y, const float* gy, float* gx) {
  for (index_t i = 0; i < n; ++i) gx[i] += gy[i] * y[i] * (1.0f - y[i]);
}
void relu_backward_acc(index_t n, const float* x, const float* gy, float* gx) {
  for (index_t i = 0; i < n; ++i)
    if (x[i] > 0.0f) gx[i] += gy[i];
}

// ---- bias ----

void add_bias(index_t rows, index_t cols, const float* x, const float* b, float* y) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] + b[c];
}
void colsum_acc(index_t rows, index_t cols, const float* x, float* y) {
  if (rows == 0) return;
  for (index_t c = 0; c < cols; ++c) {
    float s = 0.0f;
    for (index_t r = 0; r < rows; ++r) s += x[r * cols + c];
    y[c] += s;
  }
}

// ---- gemm ----

void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha, const float* a, index_t lda,
          const float* b, index_t ldb, float beta, float* c, index_t ldc) {
  for (index_t i = 0; i < m; ++i)
    for (index_t j = 0; j < n; ++j) {
      double dot = 0.0;
      for (index_t p = 0; p < k; ++p) {
        const float aip = trans_a ? a[p * lda + i] : a[i * lda + p];  // op(A)[i,p]
        const float bpj = trans_b ? b[j * ldb + p] : b[p * ldb + j];  // op(B)[p,j]
        dot += static_cast<double>(aip) * static_cast<double>(bpj);
      }
      float& cij = c[i * ldc + j];
      const double scaled = static_cast<double>(alpha) * dot;
      cij = static_cast<float>(beta == 0.0f ? scaled : scaled + static_cast<double>(beta) * cij);
    }
}

// ---- softmax ----

namespace {

float row_max(index_t cols, const float* x) {
  float m = -INFINITY;
  for (index_t c = 0; c < cols; ++c) m = x[c] > m ? x[c] : m;
  return m;
}

// log Σ_c e^{x[c]}, with the maximum subtracted first; in double
double row_lse(index_t cols, const float* x) {
  const double m = row_max(cols, x);
  double s = 0.0;
  for (index_t c = 0; c < cols; ++c) s += std::exp(x[c] - m);
  return m + std::log(s);
}

}  // namespace

void softmax_rows(index_t rows, index_t cols, const float* x, float* y) {
  for (index_t r = 0; r < rows; ++r) {
    const double lse = row_lse(cols, x + r * cols);
    for (index_t c = 0; c < cols; ++c) y[r * cols + c] = static_cast<float>(std::exp(x[r * cols + c] - lse));
  }
}
void log_softmax_rows(index_t rows, index_t cols, const float* x, float* y) {
  for (index_t r = 0; r < rows; ++r) {
    const double lse = row_lse(cols, x + r * cols);
    for (index_t c = 0; c < cols; ++c) y[r * cols + c] = static_cast<float>(x[r * cols + c] - lse);
  }
}
void softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx) {
  for (index_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gyr = gy + r * cols;
    double dot = 0.0;
    for (index_t c = 0; c < cols; ++c) dot += static_cast<double>(gyr[c]) * yr[c];
    for (index_t c = 0; c < cols; ++c) gx[r * cols + c] += static_cast<float>(yr[c] * (gyr[c] - dot));
  }
}
void log_softmax_backward_acc(index_t rows, index_t cols, const float* y, const float* gy, float* gx) {
  for (index_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gyr = gy + r * cols;
    double total = 0.0;
    for (index_t c = 0; c < cols; ++c) total += gyr[c];
    for (index_t c = 0; c < cols; ++c)
      gx[r * cols + c] += static_cast<float>(gyr[c] - std::exp(static_cast<double>(yr[c])) * total);
  }
}
void softmax_xent_forward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets, float* loss,
                          float* lse) {
  for (index_t r = 0; r < rows; ++r) {
    const double z = row_lse(cols, logits + r * cols);
    lse[r] = static_cast<float>(z);
    loss[r] = static_cast<float>(z - logits[r * cols + targets[r]]);
  }
}
void softmax_xent_backward_acc(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                               const float* lse, float scale, float* gx) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) {
      const double p = std::exp(static_cast<double>(logits[r * cols + c]) - lse[r]);
      const double is_target = c == targets[r] ? 1.0 : 0.0;
      gx[r * cols + c] += static_cast<float>(scale * (p - is_target));
    }
}
void softmax_xent_backward(index_t rows, index_t cols, const float* logits, const std::int32_t* targets,
                           const float* lse, float scale, float* gx) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) {
      const double p = std::exp(static_cast<double>(logits[r * cols + c]) - lse[r]);
      const double is_target = c == targets[r] ? 1.0 : 0.0;
      gx[r * cols + c] = static_cast<float>(scale * (p - is_target));
    }
}

// ---- gather / scatter ----

void gather_rows(index_t n_ids, index_t cols, const float* table, const std::int32_t* ids, float* out) {
  for (index_t i = 0; i < n_ids; ++i)
    for (index_t c = 0; c < cols; ++c) out[i * cols + c] = table[ids[i] * cols + c];
}
void scatter_add_rows(index_t n_ids, index_t cols, const float* g_out, const std::int32_t* ids, float* g_table) {
  for (index_t i = 0; i < n_ids; ++i)
    for (index_t c = 0; c < cols; ++c) g_table[ids[i] * cols + c] += g_out[i * cols + c];
}

// ---- layout ----

void copy_block(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) dst[r * ld_dst + c] = src[r * ld_src + c];
}
void add_block_acc(index_t rows, index_t cols, const float* src, index_t ld_src, float* dst, index_t ld_dst) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) dst[r * ld_dst + c] += src[r * ld_src + c];
}
void concat_cols(index_t rows, std::span<const float* const> parts, std::span<const index_t> widths, float* y) {
  assert(parts.size() == widths.size());
  index_t total = 0;
  for (index_t w : widths) total += w;
  for (index_t r = 0; r < rows; ++r) {
    index_t offset = 0;
    for (std::size_t p = 0; p < parts.size(); ++p) {
      for (index_t c = 0; c < widths[p]; ++c) y[r * total + offset + c] = parts[p][r * widths[p] + c];
      offset += widths[p];
    }
  }
}
void slice_cols(index_t rows, index_t cols, index_t begin, index_t width, const float* x, float* y) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < width; ++c) y[r * width + c] = x[r * cols + begin + c];
}
void slice_cols_backward_acc(index_t rows, index_t cols, index_t begin, index_t width, const float* gy, float* gx) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < width; ++c) gx[r * cols + begin + c] += gy[r * width + c];
}
void transpose(index_t rows, index_t cols, const float* x, float* y) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) y[c * rows + r] = x[r * cols + c];
}
void transpose_acc(index_t rows, index_t cols, const float* x, float* y) {
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) y[c * rows + r] += x[r * cols + c];
}

// ---- recurrent cells: element (r, j) of each gate block, written out one equation per line ----

namespace {
float sig(float x) { return 1.0f / (1.0f + std::exp(-x)); }
}  // namespace

void lstm_forward(index_t rows, index_t hidden, float* gates, const float* c_prev, float* c, float* tanh_c, float* h) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      float* g = gates + r * 4 * H;
      const index_t s = r * H + j;
      const float i = sig(g[j]), f = sig(g[H + j]), cand = std::tanh(g[2 * H + j]), o = sig(g[3 * H + j]);
      g[j] = i;
      g[H + j] = f;
      g[2 * H + j] = cand;
      g[3 * H + j] = o;
      c[s] = f * c_prev[s] + i * cand;
      tanh_c[s] = std::tanh(c[s]);
      h[s] = o * tanh_c[s];
    }
}

void lstm_backward(index_t rows, index_t hidden, const float* gates, const float* c_prev, const float* tanh_c,
                   const float* gh, const float* gc, float* dz, float* gc_prev) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      const float* g = gates + r * 4 * H;
      float* d = dz + r * 4 * H;
      const index_t s = r * H + j;
      const float i = g[j], f = g[H + j], cand = g[2 * H + j], o = g[3 * H + j];
      const float dh = gh ? gh[s] : 0.0f;
      const float dc = (gc ? gc[s] : 0.0f) + dh * o * (1.0f - tanh_c[s] * tanh_c[s]);
      d[j] = dc * cand * i * (1.0f - i);
      d[H + j] = dc * c_prev[s] * f * (1.0f - f);
      d[2 * H + j] = dc * i * (1.0f - cand * cand);
      d[3 * H + j] = dh * tanh_c[s] * o * (1.0f - o);
      if (gc_prev) gc_prev[s] += dc * f;
    }
}

void gru_gates_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* rh) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      float* g = gates + r * 3 * H;
      g[j] = sig(g[j]);
      g[H + j] = sig(g[H + j]);
      rh[r * H + j] = g[j] * h_prev[r * H + j];
    }
}

void gru_output_forward(index_t rows, index_t hidden, float* gates, const float* h_prev, float* h) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      float* g = gates + r * 3 * H;
      const index_t s = r * H + j;
      g[2 * H + j] = std::tanh(g[2 * H + j]);
      h[s] = (1.0f - g[H + j]) * h_prev[s] + g[H + j] * g[2 * H + j];
    }
}

void gru_output_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* gh,
                         float* da, float* gh_prev) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      const float* g = gates + r * 3 * H;
      const index_t s = r * H + j;
      const float z = g[H + j], n = g[2 * H + j];
      da[r * 3 * H + H + j] = gh[s] * (n - h_prev[s]) * z * (1.0f - z);
      da[r * 3 * H + 2 * H + j] = gh[s] * z * (1.0f - n * n);
      if (gh_prev) gh_prev[s] += gh[s] * (1.0f - z);
    }
}

void gru_reset_backward(index_t rows, index_t hidden, const float* gates, const float* h_prev, const float* g_rh,
                        float* da, float* gh_prev) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      const index_t s = r * H + j;
      const float reset = gates[r * 3 * H + j];
      da[r * 3 * H + j] = g_rh[s] * h_prev[s] * reset * (1.0f - reset);
      if (gh_prev) gh_prev[s] += g_rh[s] * reset;
    }
}

void gru_after_forward(index_t rows, index_t hidden, float* gates, const float* u, const float* h_prev, float* h) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      float* g = gates + r * 3 * H;
      const float* ur = u + r * 3 * H;
      const index_t s = r * H + j;
      const float reset = sig(g[j] + ur[j]);
      const float z = sig(g[H + j] + ur[H + j]);
      const float n = std::tanh(g[2 * H + j] + reset * ur[2 * H + j]);
      g[j] = reset;
      g[H + j] = z;
      g[2 * H + j] = n;
      h[s] = (1.0f - z) * h_prev[s] + z * n;
    }
}

void gru_after_backward(index_t rows, index_t hidden, const float* gates, const float* u, const float* h_prev,
                        const float* gh, float* da, float* du, float* gh_prev) {
  const index_t H = hidden;
  for (index_t r = 0; r < rows; ++r)
    for (index_t j = 0; j < H; ++j) {
      const float* g = gates + r * 3 * H;
      const index_t row = r * 3 * H, s = r * H + j;
      const float reset = g[j], z = g[H + j], n = g[2 * H + j];
      const float dn = gh[s] * z * (1.0f - n * n);
      const float dz = gh[s] * (n - h_prev[s]) * z * (1.0f - z);
      const float dr = dn * u[row + 2 * H + j] * reset * (1.0f - reset);
      da[row + j] = dr;
      da[row + H + j] = dz;
      da[row + 2 * H + j] = dn;
      du[row + j] = dr;
      du[row + H + j] = dz;
      du[row + 2 * H + j] = dn * reset;
      if (gh_prev) gh_prev[s] += gh[s] * (1.0f - z);
    }
}

// ---- reductions ----

float sum(index_t n, const float* x) {
  double s = 0.0;
  for (index_t i = 0; i < n; ++i) s += x[i];
  return static_cast<float>(s);
}
double sum_of_squares(index_t n, const float* x, index_t offset) {
  double total = 0.0;  // the sums of the chunks finished so far
  double lane[8] = {};
  for (index_t i = 0; i < n; ++i) {
    const index_t p = offset + i;
    lane[p % 8] += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    const bool last_of_chunk = (p + 1) % kSquaresChunk == 0 || i + 1 == n;
    if (last_of_chunk) {
      total += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
      for (double& l : lane) l = 0.0;
    }
  }
  return total;
}
float mean(index_t n, const float* x) {
  if (n == 0) throw UsageError("ref::mean: the mean of 0 elements is undefined");
  return sum(n, x) / static_cast<float>(n);
}

}  // namespace tapegrad::ops::ref
