// Tensor: float32, contiguous, row-major, storage aligned to 64 bytes, rank 0..4.
// A Tensor owns its storage and copies deeply (like std::vector); moves are cheap. Views (pointer + shape) let the
// tape and the kernels refer to memory they do not own.
#pragma once

#include <initializer_list>
#include <span>
#include <string>

#include "ops/aligned.hpp"
#include "ops/shape.hpp"

namespace tapegrad {

// Read-only window onto contiguous row-major floats owned by someone else (a Tensor, a tape arena).
struct ConstTensorView {
  const float* data = nullptr;
  Shape shape;

  index_t numel() const { return shape.numel(); }
  float operator[](index_t i) const { return data[i]; }
  float at(index_t row, index_t col) const { return data[row * shape.cols() + col]; }
  std::span<const float> span() const { return {data, static_cast<std::size_t>(numel())}; }
};

class Tensor {
 public:
  Tensor();                             // empty: shape {0}
  explicit Tensor(const Shape& shape);  // zero-filled
  Tensor(const Shape& shape, float fill);
  Tensor(const Shape& shape, std::span<const float> values);  // throws ShapeError if the count differs
  Tensor(const Shape& shape, std::initializer_list<float> values);
  explicit Tensor(ConstTensorView view);  // deep copy of a view

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  index_t numel() const { return shape_.numel(); }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](index_t i) { return data_[static_cast<std::size_t>(i)]; }
  float operator[](index_t i) const { return data_[static_cast<std::size_t>(i)]; }
  float& at(index_t row, index_t col) { return data_[static_cast<std::size_t>(row * shape_.cols() + col)]; }
  float at(index_t row, index_t col) const { return data_[static_cast<std::size_t>(row * shape_.cols() + col)]; }
  std::span<float> span() { return {data(), static_cast<std::size_t>(numel())}; }
  std::span<const float> span() const { return {data(), static_cast<std::size_t>(numel())}; }
  ConstTensorView view() const { return {data(), shape_}; }
  operator ConstTensorView() const { return view(); }

  void fill(float value);
  // Same storage, new shape with the same element count (throws ShapeError otherwise).
  void reshape(const Shape& shape);
  // Values printed row by row, at most max_items per row (for debugging and the demo).
  std::string str(int max_items = 8) const;

 private:
  Shape shape_;
  AlignedBuffer data_;
};

}  // namespace tapegrad
