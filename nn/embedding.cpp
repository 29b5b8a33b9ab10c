// Embedding: a row lookup on the tape.
#include "nn/embedding.hpp"

#include "autograd/functions.hpp"
#include "nn/init.hpp"
#include "ops/error.hpp"

namespace tapegrad::nn {

Embedding::Embedding(index_t vocab, index_t dim, Rng& rng, float init_range) {
  if (vocab <= 0 || dim <= 0)
    throw UsageError("Embedding: sizes must be positive, got vocab = " + std::to_string(vocab) +
                     ", dim = " + std::to_string(dim));
  table_ = &add_parameter("table", Shape{vocab, dim});
  init::uniform(table_->value(), -init_range, init_range, rng);
}

autograd::Var Embedding::forward(autograd::Tape& tape, std::span<const std::int32_t> ids) {
  return autograd::embedding(table_->rows_var(tape, ids), ids);
}

}  // namespace tapegrad::nn
