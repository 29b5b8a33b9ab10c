// Shape: validation, element count and printing.
#include "ops/shape.hpp"

#include <ostream>

#include "ops/checked_size.hpp"
#include "ops/error.hpp"

namespace tapegrad {

Shape::Shape(std::initializer_list<index_t> dims) {
  if (dims.size() > static_cast<std::size_t>(kMaxRank))
    throw ShapeError("Shape: rank " + std::to_string(dims.size()) + " exceeds the maximum rank 4");
  for (index_t d : dims) {
    if (d < 0) throw ShapeError("Shape: negative dimension " + std::to_string(d));
    dims_[static_cast<std::size_t>(rank_++)] = d;
  }
  check_numel();
}

void Shape::check_numel() const {
  // The checked product of ops/checked_size.hpp, its message naming the whole shape (built on failure only).
  try {
    checked_product(std::span<const index_t>(dims_.data(), static_cast<std::size_t>(rank_)), "Shape");
  } catch (const SizeError&) {
    throw SizeError("Shape " + str() + ": the element count does not fit in 64 bits");
  }
}

index_t Shape::numel() const {
  // Plain: every constructor checked this product (check_numel), and numel() sits on every kernel's path.
  index_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[static_cast<std::size_t>(i)];
  return n;
}

Shape Shape::with_cols(index_t cols) const {
  if (cols < 0) throw ShapeError("Shape: negative dimension " + std::to_string(cols));
  Shape s = *this;
  if (s.rank_ == 0) s.rank_ = 1;
  s.dims_[static_cast<std::size_t>(s.rank_ - 1)] = cols;
  s.check_numel();
  return s;
}

Shape Shape::without_front() const {
  if (rank_ == 0) throw ShapeError("Shape: a scalar has no first dimension to drop");
  Shape s;
  s.rank_ = rank_ - 1;
  for (int i = 1; i < rank_; ++i) s.dims_[static_cast<std::size_t>(i - 1)] = dims_[static_cast<std::size_t>(i)];
  return s;
}

Shape Shape::with_front(index_t n) const {
  if (rank_ == kMaxRank) throw ShapeError("Shape: cannot add a dimension to " + str() + " (maximum rank 4)");
  if (n < 0) throw ShapeError("Shape: negative dimension " + std::to_string(n));
  Shape s;
  s.rank_ = rank_ + 1;
  s.dims_[0] = n;
  for (int i = 0; i < rank_; ++i) s.dims_[static_cast<std::size_t>(i + 1)] = dims_[static_cast<std::size_t>(i)];
  s.check_numel();
  return s;
}

bool Shape::operator==(const Shape& other) const {
  if (rank_ != other.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[static_cast<std::size_t>(i)] != other.dims_[static_cast<std::size_t>(i)]) return false;
  return true;
}

std::string Shape::str() const {
  if (rank_ == 0) return "[]";
  std::string s;
  for (int i = 0; i < rank_; ++i) {
    if (i) s += "×";
    s += std::to_string(dims_[static_cast<std::size_t>(i)]);
  }
  return s;
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

}  // namespace tapegrad
