// DivergenceError: training cannot go on because a value stopped being finite — the training loss, the validation
// loss or a parameter became NaN or ±∞. The message names the epoch and step of the update after which it happened;
// the checkpoints written before stay as they were (a checkpoint is only ever written with finite values).
#pragma once

#include "ops/error.hpp"

namespace tapegrad::lm {

class DivergenceError : public Error {
 public:
  using Error::Error;
};

}  // namespace tapegrad::lm
