// Parameter names and shapes from configurations (see parameter_shapes.hpp).
#include "nn/parameter_shapes.hpp"

#include "nn/safetensors.hpp"
#include "ops/checked_size.hpp"

namespace tapegrad::nn {

void add_linear_shapes(ParameterShapes& shapes, const std::string& prefix, index_t in, index_t out, bool bias) {
  shapes.emplace_back(prefix + "W", Shape{in, out});
  if (bias) shapes.emplace_back(prefix + "b", Shape{out});
}

void add_embedding_shapes(ParameterShapes& shapes, const std::string& prefix, index_t vocab, index_t dim) {
  shapes.emplace_back(prefix + "table", Shape{vocab, dim});
}

void add_recurrent_shapes(ParameterShapes& shapes, const std::string& prefix, index_t input, index_t hidden,
                          const RecurrentOptions& options) {
  const index_t gates = options.type == CellType::LSTM ? 4 : options.type == CellType::GRU ? 3 : 1;
  const index_t directions = options.bidirectional ? 2 : 1;
  const index_t wide = checked_mul(gates, hidden, "a recurrent layer's gate width");
  for (index_t l = 0; l < options.layers; ++l)
    for (index_t d = 0; d < directions; ++d) {
      const std::string cell = prefix + "layer" + std::to_string(l) + (d == 1 ? "_reverse" : "") + ".";
      const index_t in = l == 0 ? input : checked_mul(hidden, directions, "a recurrent layer's input");
      shapes.emplace_back(cell + "W_ih", Shape{in, wide});
      shapes.emplace_back(cell + "W_hh", Shape{hidden, wide});
      shapes.emplace_back(cell + "b", Shape{wide});
      if (options.type == CellType::GRU && options.cell.reset_after) shapes.emplace_back(cell + "b_hn", Shape{hidden});
    }
}

index_t parameter_count(const ParameterShapes& shapes) {
  index_t n = 0;
  for (const auto& [name, shape] : shapes) n = checked_add(n, shape.numel(), "the model's parameters");
  return n;
}

void check_training_memory(const ParameterShapes& shapes, const std::string& what) {
  const std::uint64_t memory = physical_memory_bytes();
  if (memory == 0) return;
  const index_t n = parameter_count(shapes);
  const double needed = static_cast<double>(n) * 4.0 * static_cast<double>(sizeof(float));
  if (needed > static_cast<double>(memory))
    throw SizeError(what + " has " + std::to_string(n) + " parameters: training needs " + format_bytes(needed) +
                    " for them alone (values, gradients, Adam state), more than the " +
                    format_bytes(static_cast<double>(memory)) + " of memory this machine has");
}

std::optional<std::string> tensor_shape_mismatch(const safetensors::File& file, const ParameterShapes& shapes) {
  for (const auto& [name, shape] : shapes) {
    const safetensors::TensorInfo* tensor = file.find(name);
    if (!tensor) return "missing tensor '" + name + "' (F32 " + shape.str() + ")";
    bool same = tensor->dtype == safetensors::DType::F32 &&
                tensor->shape.size() == static_cast<std::size_t>(shape.rank());
    std::string found;
    for (std::size_t i = 0; i < tensor->shape.size(); ++i) {
      found += (i ? "×" : "") + std::to_string(tensor->shape[i]);
      same = same && tensor->shape[i] == static_cast<std::uint64_t>(shape[static_cast<int>(i)]);
    }
    if (tensor->shape.empty()) found = "[]";
    if (!same)
      return "tensor '" + name + "' is " + std::string(safetensors::dtype_name(tensor->dtype)) + " " + found +
             " in the file but F32 " + shape.str() + " by the configuration";
  }
  return std::nullopt;
}

}  // namespace tapegrad::nn
