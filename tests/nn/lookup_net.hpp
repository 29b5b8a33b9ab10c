// A small model for the optimizer and gradient-sum tests: an embedding table (looked up, so its gradient is
// row-sparse) → a linear layer → cross-entropy. Built from one seed: the same seed gives the same parameters.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "ops/random.hpp"

namespace tapegrad::testing {

class LookupNet : public nn::Module {
 public:
  LookupNet(std::uint64_t seed, index_t vocab, index_t dim, index_t classes) {
    Rng rng(seed);
    emb_ = &add_module("emb", std::make_unique<nn::Embedding>(vocab, dim, rng, 0.5f));
    out_ = &add_module("out", std::make_unique<nn::Linear>(dim, classes, rng));
  }
  autograd::Var loss(autograd::Tape& tape, std::span<const std::int32_t> ids, std::span<const std::int32_t> targets) {
    return autograd::cross_entropy(out_->forward(emb_->forward(tape, ids)), targets);
  }
  nn::Parameter& table() { return emb_->table(); }

 private:
  nn::Embedding* emb_;
  nn::Linear* out_;
};

}  // namespace tapegrad::testing
