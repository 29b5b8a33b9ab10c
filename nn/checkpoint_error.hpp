// CheckpointError: the error of nn/'s file formats — a file that cannot be read or written, or whose contents are not
// a valid checkpoint. The message starts with the file's name and says what is wrong with it.
#pragma once

#include "ops/error.hpp"

namespace tapegrad::nn {

class CheckpointError : public Error {
 public:
  using Error::Error;
};

}  // namespace tapegrad::nn
