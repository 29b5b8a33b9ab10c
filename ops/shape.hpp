// Shape of a row-major tensor of rank 0..4, with the helpers kernels need (rows × cols view of any tensor).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>

namespace tapegrad {

using index_t = std::int64_t;

class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;  // rank 0: a scalar with one element
  // Throws ShapeError for a negative dimension or a rank above 4, SizeError (ops/checked_size.hpp) when the
  // element count would not fit in 64 bits: every Shape that exists has a representable numel().
  Shape(std::initializer_list<index_t> dims);
  static Shape scalar() { return Shape(); }

  int rank() const { return rank_; }
  index_t operator[](int axis) const { return dims_[static_cast<std::size_t>(axis)]; }
  index_t numel() const;
  // A tensor seen as a matrix: cols = last dimension (1 for a scalar), rows = product of the others.
  index_t cols() const { return rank_ == 0 ? 1 : dims_[static_cast<std::size_t>(rank_ - 1)]; }
  index_t rows() const { return cols() == 0 ? 0 : numel() / cols(); }
  // The same shape with its last dimension replaced (rank 0 becomes rank 1).
  Shape with_cols(index_t cols) const;
  // Without its first dimension (rank ≥ 1): the shape of one item of a stack, {T, B, H} → {B, H}.
  Shape without_front() const;
  // With a new first dimension n (rank ≤ 3): the shape of n stacked items, {B, H} → {n, B, H}.
  Shape with_front(index_t n) const;

  bool operator==(const Shape& other) const;
  bool operator!=(const Shape& other) const { return !(*this == other); }
  std::string str() const;  // "20×200", "[]" for a scalar

 private:
  void check_numel() const;  // SizeError naming the shape when the product of its dimensions overflows

  std::array<index_t, kMaxRank> dims_{};
  int rank_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);  // prints shape.str()

}  // namespace tapegrad
