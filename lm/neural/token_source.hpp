// A next-token distribution that grows one token at a time and can be saved and restored: what sampling, scoring and
// beam search need from a language model. NextToken (generate.hpp) is the one of a trained neural model; tests give
// hand-made ones (a bigram table) whose best sequences are known.
#pragma once

#include <any>
#include <cstdint>
#include <span>

#include "ops/shape.hpp"  // index_t

namespace tapegrad::lm {

class TokenSource {
 public:
  virtual ~TokenSource() = default;

  virtual index_t vocab_size() const = 0;
  // Back to the start of a text (the context is a sentence boundary, </s>).
  virtual void reset() = 0;
  // The context grows by one token (0 ≤ id < vocab_size()).
  virtual void feed(std::int32_t id) = 0;
  // log P(next = v | context) for every v of the vocabulary (natural log); valid until the next call of any member.
  virtual std::span<const float> log_probs() = 0;
  // Everything that defines the context so far, to come back to it with restore (beam search follows several).
  virtual std::any save() const = 0;
  virtual void restore(const std::any& state) = 0;
};

}  // namespace tapegrad::lm
