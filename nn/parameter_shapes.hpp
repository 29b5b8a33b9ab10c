// The names and shapes a module's parameters will have, computed from its configuration without building it — so a
// checkpoint loader can check a file's tensors against the configuration stored beside them (and refuse a model too
// big for the machine) before allocating anything. One helper per building block, named as the block names its
// parameters (Linear "W", "b"; Embedding "table"; Recurrent "layer<l>[_reverse].W_ih|W_hh|b[|b_hn]"); each model
// composes them under its module prefixes. The tests build the models and compare (tests/nn/test_parameter_shapes.cpp,
// tests/lm/test_model_limits.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nn/recurrent.hpp"
#include "ops/shape.hpp"

namespace tapegrad::nn {

namespace safetensors {
class File;
}

using ParameterShapes = std::vector<std::pair<std::string, Shape>>;

// prefix + "W" (in × out) and, with a bias, prefix + "b" (out).
void add_linear_shapes(ParameterShapes& shapes, const std::string& prefix, index_t in, index_t out, bool bias = true);
// prefix + "table" (vocab × dim).
void add_embedding_shapes(ParameterShapes& shapes, const std::string& prefix, index_t vocab, index_t dim);
// Every cell of Recurrent(input, hidden, options): per layer l and direction, W_ih (in × G·H), W_hh (H × G·H),
// b (G·H) with G = 4 (LSTM), 3 (GRU) or 1 (RNN), in = input for layer 0 and H · directions above; plus b_hn (H)
// for a GRU with the reset gate after the recurrent product.
void add_recurrent_shapes(ParameterShapes& shapes, const std::string& prefix, index_t input, index_t hidden,
                          const RecurrentOptions& options);

// Σ numel over the shapes; SizeError when the sum overflows.
index_t parameter_count(const ParameterShapes& shapes);

// Training keeps four floats per parameter (value, gradient, Adam's two moments): SizeError naming `what` and the
// sizes when that exceeds the machine's physical memory (no check when the memory is unknown).
void check_training_memory(const ParameterShapes& shapes, const std::string& what);

// The first difference between the file's tensors and `shapes` — a tensor missing, or not F32 of that shape — as a
// phrase ("missing tensor 'rnn.layer0.W_ih' (F32 10×40)", "tensor 'x' is F32 2×3 in the file but F32 3×3 by the
// configuration"), or nothing when every expected tensor is there as expected. Tensors not in `shapes` are ignored.
std::optional<std::string> tensor_shape_mismatch(const safetensors::File& file, const ParameterShapes& shapes);

}  // namespace tapegrad::nn
