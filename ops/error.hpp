// Exceptions for user mistakes (wrong shapes, stale handles, bad arguments).
// Library code throws these with a message naming the op and the shapes involved; internal invariants use assert.
#pragma once

#include <stdexcept>
#include <string>

namespace tapegrad {

// Base of every error tapegrad throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Operands whose shapes do not fit the op (the message names the op and both shapes).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// An API used in a way it does not support: a handle used after tape.clear(), backward of a non-scalar without a
// seed, reading a gradient that was not retained, an out-of-range index.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace tapegrad
