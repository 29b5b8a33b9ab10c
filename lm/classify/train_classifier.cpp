// train_classifier and helpers (see train_classifier.hpp).
#include "lm/classify/train_classifier.hpp"

#include <ostream>

#include "lm/classify/lm_init.hpp"

#include "ops/error.hpp"

namespace tapegrad::lm {

ClassifierTrainResult train_classifier(const ClassSentences& train, const ClassSentences& valid,
                                       const ClassifierTrainSpec& spec, std::ostream& log) {
  if (train.size() == 0) throw UsageError("train_classifier: no training sentences");
  for (std::size_t i = 0; i < train.size(); ++i)
    if (train.labels[i] < 0 || static_cast<std::size_t>(train.labels[i]) >= spec.labels.size())
      throw UsageError("train_classifier: sentence " + std::to_string(i) + " has label " +
                       std::to_string(train.labels[i]) + ", outside the " + std::to_string(spec.labels.size()) +
                       " classes");
  spec.encoder.validate();
  EncoderVocab vocab = EncoderVocab::build(train.tokens, spec.encoder, spec.min_count);
  const EncodedSentences train_data = vocab.encode(train.tokens, spec.encoder);
  Rng init(spec.train.seed);
  ClassifierTrainResult result;
  result.classifier = std::make_unique<NeuralClassifier>(spec.encoder, spec.pool, std::move(vocab), spec.labels, init);
  NeuralClassifier& model = *result.classifier;
  if (!spec.init_from.empty()) {
    const LmInitReport r = init_encoder_from_lm(model.encoder(), model.vocab().words, spec.init_from);
    log << "initialised from " << spec.init_from << " (" << r.lm << "): " << r.words_copied << " of "
        << r.words_total << " word vectors, " << r.layers_copied << " forward layer(s)\n";
  }
  log << "classifier: " << spec.encoder.describe() << ", " << pool_name(spec.pool) << " pooling, "
      << model.vocab().words.size() << " words, " << model.parameter_count() << " parameters\n";
  std::vector<std::size_t> lengths;
  for (const auto& s : train.tokens) lengths.push_back(s.size());
  result.training = train_task(
      model, lengths,
      [&](autograd::Tape& tape, std::span<const std::size_t> items, Rng& rng) {
        return model.loss(tape, train_data, train.labels, items, rng);
      },
      [&] { return valid.size() == 0 ? 0.0 : class_accuracy(classify_sentences(model, valid.tokens), valid.labels); },
      spec.train, log,
      [&](const TaskEpoch&) {
        if (!spec.save.empty()) model.save(spec.save, spec.extra);
      });
  return result;
}

std::vector<std::int32_t> classify_sentences(NeuralClassifier& model, const std::vector<std::vector<std::string>>& s) {
  const auto p = model.probabilities(model.vocab().encode(s, model.config()));
  std::vector<std::int32_t> out;
  for (const auto& row : p) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < row.size(); ++k)
      if (row[k] > row[best]) best = k;
    out.push_back(static_cast<std::int32_t>(best));
  }
  return out;
}

double class_accuracy(const std::vector<std::int32_t>& predicted, const std::vector<std::int32_t>& gold) {
  if (predicted.size() != gold.size()) throw UsageError("class_accuracy: different numbers of sentences");
  std::size_t right = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) right += predicted[i] == gold[i];
  return gold.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(gold.size());
}

}  // namespace tapegrad::lm
