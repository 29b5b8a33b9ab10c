// Tensor construction, copying, reshaping and printing.
#include "ops/tensor.hpp"

#include <algorithm>
#include <cstdio>

#include "ops/error.hpp"

namespace tapegrad {

Tensor::Tensor() : shape_{0} {}

Tensor::Tensor(const Shape& shape) : shape_(shape), data_(allocate_aligned(static_cast<std::size_t>(shape.numel()))) {
  fill(0.0f);
}

Tensor::Tensor(const Shape& shape, float value) : Tensor(shape) { fill(value); }

Tensor::Tensor(const Shape& shape, std::span<const float> values) : Tensor(shape) {
  if (static_cast<index_t>(values.size()) != shape.numel())
    throw ShapeError("Tensor: " + std::to_string(values.size()) + " values given for shape " + shape.str() + " (" +
                     std::to_string(shape.numel()) + " elements)");
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(const Shape& shape, std::initializer_list<float> values)
    : Tensor(shape, std::span<const float>(values.begin(), values.size())) {}

Tensor::Tensor(ConstTensorView view) : Tensor(view.shape, view.span()) {}

Tensor::Tensor(const Tensor& other) : Tensor(other.shape_, other.span()) {}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

void Tensor::fill(float value) { std::fill(data(), data() + numel(), value); }

void Tensor::reshape(const Shape& shape) {
  if (shape.numel() != numel())
    throw ShapeError("Tensor::reshape: cannot view " + shape_.str() + " (" + std::to_string(numel()) +
                     " elements) as " + shape.str() + " (" + std::to_string(shape.numel()) + " elements)");
  shape_ = shape;
}

std::string Tensor::str(int max_items) const {
  std::string out;
  char buf[32];
  const index_t rows = shape_.rows(), cols = shape_.cols();
  for (index_t r = 0; r < rows && r < max_items; ++r) {
    out += "[";
    for (index_t c = 0; c < cols && c < max_items; ++c) {
      std::snprintf(buf, sizeof buf, c ? " %.4g" : "%.4g", static_cast<double>(at(r, c)));
      out += buf;
    }
    out += cols > max_items ? " …]\n" : "]\n";
  }
  if (rows > max_items) out += "…\n";
  return out;
}

}  // namespace tapegrad
