// Embedding: a table of vocab × dim rows; forward(ids) = the rows of the ids, (n × dim).
//
// Gradient: only the rows used in a step receive gradient (the backward rule scatter-adds into them; a row used k
// times gets the sum of its k contributions). The gradient buffer itself is dense — vocab × dim like the table, all
// other rows staying zero — so any optimizer applies; with plain SGD the unused rows do not move, while momentum
// and weight decay (as in PyTorch's dense embeddings) do move them.
#pragma once

#include <cstdint>
#include <span>

#include "nn/module.hpp"
#include "ops/random.hpp"

namespace tapegrad::nn {

class Embedding : public Module {
 public:
  // Rows initialised from U(−init_range, init_range).
  Embedding(index_t vocab, index_t dim, Rng& rng, float init_range = 0.1f);

  // ids (n, each in [0, vocab)) → (n × dim) on `tape`. An out-of-range id throws UsageError naming it.
  autograd::Var forward(autograd::Tape& tape, std::span<const std::int32_t> ids);
  index_t vocab_size() const { return table_->shape()[0]; }
  index_t dim() const { return table_->shape()[1]; }
  Parameter& table() { return *table_; }

 private:
  Parameter* table_;
};

}  // namespace tapegrad::nn
