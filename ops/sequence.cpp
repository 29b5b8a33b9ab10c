// Masked row choice and per-sequence pooling over padded time-major batches (see sequence.hpp for the layout).
#include "ops/sequence.hpp"

#include <cstring>

namespace tapegrad::ops {

void where_rows(index_t rows, index_t cols, const std::int32_t* take_a, const float* a, const float* b, float* y) {
  const auto bytes = static_cast<std::size_t>(cols) * sizeof(float);
  for (index_t r = 0; r < rows; ++r) {
    const float* src = (take_a[r] ? a : b) + r * cols;
    float* dst = y + r * cols;
    if (dst != src) std::memcpy(dst, src, bytes);
  }
}

void where_rows_backward(index_t rows, index_t cols, const std::int32_t* take_a, const float* gy, float* ga,
                         float* gb) {
  for (index_t r = 0; r < rows; ++r) {
    float* g = take_a[r] ? ga : gb;
    if (!g) continue;
    const float* src = gy + r * cols;
    float* dst = g + r * cols;
    for (index_t j = 0; j < cols; ++j) dst[j] += src[j];
  }
}

void time_mean(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, float* y) {
  (void)T;
  for (index_t b = 0; b < B; ++b) {
    float* out = y + b * H;
    for (index_t h = 0; h < H; ++h) out[h] = 0.0f;
    for (index_t t = 0; t < lengths[b]; ++t) {
      const float* row = x + (t * B + b) * H;
      for (index_t h = 0; h < H; ++h) out[h] += row[h];
    }
    const float inv = 1.0f / static_cast<float>(lengths[b]);
    for (index_t h = 0; h < H; ++h) out[h] *= inv;
  }
}

void time_mean_backward(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* gy, float* gx) {
  (void)T;
  for (index_t b = 0; b < B; ++b) {
    const float inv = 1.0f / static_cast<float>(lengths[b]);
    const float* g = gy + b * H;
    for (index_t t = 0; t < lengths[b]; ++t) {
      float* row = gx + (t * B + b) * H;
      for (index_t h = 0; h < H; ++h) row[h] += g[h] * inv;
    }
  }
}

void time_max(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, float* y) {
  (void)T;
  for (index_t b = 0; b < B; ++b) {
    float* out = y + b * H;
    const float* first = x + b * H;
    for (index_t h = 0; h < H; ++h) out[h] = first[h];
    for (index_t t = 1; t < lengths[b]; ++t) {
      const float* row = x + (t * B + b) * H;
      for (index_t h = 0; h < H; ++h) out[h] = row[h] > out[h] ? row[h] : out[h];
    }
  }
}

void time_max_backward(index_t T, index_t B, index_t H, const std::int32_t* lengths, const float* x, const float* gy,
                       float* gx) {
  (void)T;
  for (index_t b = 0; b < B; ++b) {
    for (index_t h = 0; h < H; ++h) {
      index_t best = 0;
      float best_value = x[b * H + h];
      for (index_t t = 1; t < lengths[b]; ++t) {
        const float v = x[(t * B + b) * H + h];
        if (v > best_value) best_value = v, best = t;
      }
      gx[(best * B + b) * H + h] += gy[b * H + h];
    }
  }
}

}  // namespace tapegrad::ops
