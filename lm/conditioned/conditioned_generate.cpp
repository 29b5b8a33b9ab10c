// generate_conditioned: sampling a sentence of a label, one batch-1 step at a time (see conditioned_generate.hpp).
#include "lm/conditioned/conditioned_generate.hpp"

#include <cmath>

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

std::vector<std::int32_t> generate_conditioned(ConditionedLM& model, std::int32_t label,
                                               std::span<const std::int32_t> prefix,
                                               const ConditionedSampleOptions& options) {
  const SampleOptions& o = options.sample;
  check_sample_options(o);
  if (label < 0 || label >= static_cast<std::int32_t>(model.labels().size()))
    throw UsageError("generate_conditioned: label id " + std::to_string(label) + " outside [0, " +
                     std::to_string(model.labels().size()) + ")");
  const auto vocab = static_cast<std::int32_t>(model.vocab().size());
  for (std::int32_t id : prefix)
    if (id < 0 || id >= vocab)
      throw UsageError("generate_conditioned: prefix id " + std::to_string(id) + " outside the vocabulary of " +
                       std::to_string(vocab));
  const bool was_training = model.is_training();
  model.eval();
  const auto eos = static_cast<std::int32_t>(Vocab::kEos), unk = static_cast<std::int32_t>(Vocab::kUnk);
  autograd::Tape tape;
  std::vector<nn::CellStateValue> state;  // empty: the label's initial state
  std::int32_t input = eos;
  // Runs the model over `input` and returns log p(next | everything read, label).
  std::vector<float> lp;
  const auto read = [&](std::int32_t id) {
    tape.clear();
    autograd::NoGradGuard no_grad(tape);
    const autograd::Var out = model.step(tape, label, id, state);
    lp.assign(out.value().data, out.value().data + out.value().numel());
  };
  for (std::int32_t id : prefix) {
    read(input);
    input = id;
  }
  Rng rng(o.seed);
  std::vector<std::int32_t> words;
  for (index_t n = 0; n < o.max_tokens; ++n) {
    read(input);
    if (!options.allow_unk) lp[static_cast<std::size_t>(unk)] = -INFINITY;
    if (prefix.empty() && words.empty()) lp[static_cast<std::size_t>(eos)] = -INFINITY;
    const std::int32_t next = draw_token(lp, o, rng);
    if (next == eos) break;
    words.push_back(next);
    input = next;
  }
  model.train(was_training);
  return words;
}

}  // namespace tapegrad::lm
