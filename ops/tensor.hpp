// Tensor: float32, contiguous, row-major, rank 0..4, its own storage aligned to 64 bytes.
// A Tensor owns its storage and copies deeply (like std::vector); moves are cheap. Views (pointer + shape) let the
// tape and the kernels refer to memory they do not own. A Tensor may also borrow its storage (borrow()): it is then
// a window of fixed shape onto memory owned elsewhere — how nn::ParameterBlock puts every parameter of a model, and
// every gradient, into one buffer while each parameter keeps a Tensor of its own.
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

  // Copies own their storage, also copies of a borrowing tensor. Assigning to a borrowing tensor copies the values
  // into the memory it borrows (ShapeError unless the shapes are equal), like assigning to a slice: a window stays
  // where it is. Assigning to an owning tensor replaces its shape and storage (a borrowing source moved into it
  // makes it borrow the same memory).
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other);

  const Shape& shape() const { return shape_; }
  index_t numel() const { return shape_.numel(); }
  float* data() { return data_; }
  const float* data() const { return data_; }
  float& operator[](index_t i) { return data_[i]; }
  float operator[](index_t i) const { return data_[i]; }
  float& at(index_t row, index_t col) { return data_[row * shape_.cols() + col]; }
  float at(index_t row, index_t col) const { return data_[row * shape_.cols() + col]; }
  std::span<float> span() { return {data(), static_cast<std::size_t>(numel())}; }
  std::span<const float> span() const { return {data(), static_cast<std::size_t>(numel())}; }
  ConstTensorView view() const { return {data(), shape_}; }
  operator ConstTensorView() const { return view(); }

  void fill(float value);
  // Same storage, new shape with the same element count (throws ShapeError otherwise).
  void reshape(const Shape& shape);
  // Values printed row by row, at most max_items per row (for debugging and the demo).
  std::string str(int max_items = 8) const;

  // A tensor of `shape` whose elements are the shape.numel() floats at `data`, which someone else owns and keeps
  // valid while the tensor is used. The alignment is whatever `data` has.
  static Tensor borrowing(float* data, const Shape& shape);
  // From now on the elements of this tensor are the numel() floats at `data` (as above); its own storage, if any, is
  // released and its values are not copied. Calling it again moves the window.
  void borrow(float* data);
  bool borrows() const { return borrowed_; }

 private:
  Shape shape_;
  float* data_ = nullptr;  // owned_.get(), or the borrowed memory
  AlignedBuffer owned_;
  bool borrowed_ = false;
};

}  // namespace tapegrad
