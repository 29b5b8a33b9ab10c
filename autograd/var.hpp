// Var: the user's handle to a value on a tape — just {tape, index, generation}. Copy it freely; it owns nothing.
// The generation catches a handle used after tape.clear(): every access through a stale Var throws UsageError.
#pragma once

#include <cstdint>

#include "ops/tensor.hpp"

namespace tapegrad::autograd {

class Tape;

class Var {
 public:
  Var() = default;

  Tape& tape() const;  // throws UsageError for a default-constructed or stale handle
  std::uint32_t index() const { return index_; }
  std::uint32_t generation() const { return generation_; }
  bool is_null() const { return tape_ == nullptr; }

  Shape shape() const;  // by value: a reference into the tape would dangle once recording grows it
  ConstTensorView value() const;
  float item() const;  // the value of a one-element Var (throws UsageError otherwise)
  Tensor to_tensor() const { return Tensor(value()); }

 private:
  friend class Tape;
  Var(Tape* tape, std::uint32_t index, std::uint32_t generation)
      : tape_(tape), index_(index), generation_(generation) {}

  Tape* tape_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;
};

}  // namespace tapegrad::autograd
