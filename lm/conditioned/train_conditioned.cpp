// train_conditioned (see train_conditioned.hpp).
#include "lm/conditioned/train_conditioned.hpp"

#include <cstdio>
#include <ostream>

#include "ops/error.hpp"

namespace tapegrad::lm {

ConditionedTrainResult train_conditioned(const LabelledCorpus& train, const LabelledCorpus& valid,
                                         const ConditionedTrainSpec& spec, std::ostream& log) {
  if (train.empty()) throw UsageError("train_conditioned: no training sentences in " + train.source);
  if (spec.min_count < 1) throw UsageError("train_conditioned: min-count must be at least 1");
  spec.model.validate();
  Vocab vocab = Vocab::build(train.token_corpus(), spec.min_count);
  Rng init(spec.train.seed);
  ConditionedTrainResult result;
  result.model = std::make_unique<ConditionedLM>(spec.model, std::move(vocab), train.label_names, init);
  ConditionedLM& model = *result.model;
  const ConditionedSentences train_data = model.encode(train);
  const ConditionedSentences valid_data = model.encode(valid);
  log << "conditioned LM: " << spec.model.describe() << ", vocabulary " << model.vocab().size() << " (min count "
      << spec.min_count << "), labels " << model.label_list() << ", " << model.parameter_count() << " parameters\n"
      << "train: " << train_data.size() << " sentences, " << train_data.predictions() << " predictions; valid: "
      << valid_data.size() << " sentences, " << valid_data.predictions() << " predictions, " << valid_data.oov
      << " out of vocabulary\n";

  TaskTrainOptions options = spec.train;
  options.describe_score = [](double score) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "valid ppl %.2f", -score);
    return std::string(buf);
  };
  result.training = train_task(
      model, train_data.lengths(),
      [&](autograd::Tape& tape, std::span<const std::size_t> items, Rng& rng) {
        return model.loss(tape, train_data, items, rng);
      },
      [&] { return valid_data.size() == 0 ? 0.0 : -model.perplexity(valid_data).perplexity(); },
      options, log,
      [&](const TaskEpoch& e) {
        if (spec.save.empty()) return;
        nn::Metadata extra = spec.extra;
        extra["epoch"] = std::to_string(e.epoch);
        if (valid_data.size() > 0) extra["valid_perplexity"] = std::to_string(-e.valid_score);
        model.save(spec.save, extra);
      });
  if (valid_data.size() > 0) result.valid = model.perplexity(valid_data);
  return result;
}

}  // namespace tapegrad::lm
