// Tensor construction, copying, reshaping and printing.
#include "ops/tensor.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "ops/checked_size.hpp"
#include "ops/error.hpp"

namespace tapegrad {

Tensor::Tensor() : shape_{0} {}

Tensor::Tensor(const Shape& shape) : shape_(shape), owned_(allocate_aligned(static_cast<std::size_t>(shape.numel()))) {
  data_ = owned_.get();
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

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(other.shape_),
      data_(std::exchange(other.data_, nullptr)),
      owned_(std::move(other.owned_)),
      borrowed_(std::exchange(other.borrowed_, false)) {}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (borrowed_) {
    if (other.shape_ != shape_)
      throw ShapeError("Tensor: cannot assign a " + other.shape_.str() + " tensor to a " + shape_.str() +
                       " tensor that borrows its storage (a window keeps its shape)");
    if (numel() > 0 && other.data_ != data_)  // memmove: the two may be overlapping windows
      std::memmove(data_, other.data_, checked_bytes(static_cast<std::uint64_t>(numel()), sizeof(float), "Tensor"));
    return *this;
  }
  return *this = Tensor(other);
}

Tensor& Tensor::operator=(Tensor&& other) {
  if (this == &other) return *this;
  if (borrowed_) return *this = std::as_const(other);  // copies the values into the window
  shape_ = other.shape_;
  data_ = std::exchange(other.data_, nullptr);
  owned_ = std::move(other.owned_);
  borrowed_ = std::exchange(other.borrowed_, false);
  return *this;
}

Tensor Tensor::borrowing(float* data, const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.borrow(data);
  return t;
}

void Tensor::borrow(float* data) {
  owned_.reset();
  data_ = data;
  borrowed_ = true;
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
