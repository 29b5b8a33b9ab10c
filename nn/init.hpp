// Deterministic initialisers: every one draws from a caller-supplied Rng, so a model built twice from the same seed
// has bit-identical parameters. Shapes follow tapegrad's layout: a weight is stored in × out (y = x·W).
#pragma once

#include "ops/random.hpp"
#include "ops/tensor.hpp"

namespace tapegrad::nn::init {

void constant(Tensor& t, float value);
// U(lo, hi), element by element in storage order.
void uniform(Tensor& t, float lo, float hi, Rng& rng);
void normal(Tensor& t, float mean, float stddev, Rng& rng);
// Xavier/Glorot uniform (Glorot & Bengio 2010): U(−a, a) with a = gain·√(6 / (fan_in + fan_out)), which keeps the
// variance of activations and of gradients roughly equal across a layer. For t of shape fan_in × fan_out.
void xavier_uniform(Tensor& t, Rng& rng, float gain = 1.0f);
// Orthogonal (Saxe et al. 2014), for recurrent weights: t (rows × cols) gets orthonormal columns (rows ≥ cols) or
// orthonormal rows (rows < cols), times gain. A normal matrix is orthogonalised by modified Gram–Schmidt in double;
// repeated multiplication by an orthogonal matrix neither grows nor shrinks a vector, the point for h_{t−1}·W_hh.
void orthogonal(Tensor& t, Rng& rng, float gain = 1.0f);
// The same for each column block t[:, b·width : (b+1)·width] on its own (one block per gate of a fused weight).
void orthogonal_blocks(Tensor& t, index_t width, Rng& rng, float gain = 1.0f);

}  // namespace tapegrad::nn::init
