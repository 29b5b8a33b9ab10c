// train_tagger and helpers (see train_tagger.hpp).
#include "lm/tagging/train_tagger.hpp"

#include <ostream>

#include "ops/error.hpp"

namespace tapegrad::lm {

TaggerTrainResult train_tagger(const TagSentences& train, const TagSentences& valid, const TaggerTrainSpec& spec,
                               std::ostream& log) {
  if (train.size() == 0) throw UsageError("train_tagger: no training sentences");
  spec.encoder.validate();
  EncoderVocab vocab = EncoderVocab::build(train.words, spec.encoder, spec.min_count);
  SymbolTable tags(false);
  for (const auto& sentence : train.tags)
    for (const std::string& tag : sentence) tags.add(tag);
  std::vector<std::vector<std::int32_t>> gold;
  for (const auto& sentence : train.tags) {
    std::vector<std::int32_t> ids;
    for (const std::string& tag : sentence) ids.push_back(tags.id(tag));
    gold.push_back(std::move(ids));
  }
  const EncodedSentences train_data = vocab.encode(train.words, spec.encoder);
  Rng init(spec.train.seed);
  TaggerTrainResult result;
  result.tagger = std::make_unique<NeuralTagger>(spec.encoder, std::move(vocab), std::move(tags), init);
  NeuralTagger& tagger = *result.tagger;
  log << "tagger: " << spec.encoder.describe() << ", " << tagger.vocab().words.size() << " words, "
      << tagger.vocab().chars.size() << " characters, " << tagger.tags().size() << " tags, "
      << tagger.parameter_count() << " parameters\n";

  std::vector<std::size_t> lengths;
  for (const auto& s : train.words) lengths.push_back(s.size());
  const EncodedSentences valid_data = tagger.vocab().encode(valid.words, spec.encoder);
  result.training = train_task(
      tagger, lengths,
      [&](autograd::Tape& tape, std::span<const std::size_t> items, Rng& rng) {
        return tagger.loss(tape, train_data, gold, items, rng);
      },
      [&] { return valid.size() == 0 ? 0.0 : token_accuracy(tag_sentences(tagger, valid.words), valid.tags); },
      spec.train, log,
      [&](const TaskEpoch&) {
        if (!spec.save.empty()) tagger.save(spec.save, spec.extra);
      });
  return result;
}

std::vector<std::vector<std::string>> tag_sentences(NeuralTagger& tagger,
                                                    const std::vector<std::vector<std::string>>& words) {
  const EncodedSentences data = tagger.vocab().encode(words, tagger.config());
  const auto ids = tagger.predict(data);
  std::vector<std::vector<std::string>> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (std::int32_t id : ids[i]) out[i].push_back(tagger.tags().symbol(id));
  return out;
}

double token_accuracy(const std::vector<std::vector<std::string>>& predicted,
                      const std::vector<std::vector<std::string>>& gold) {
  if (predicted.size() != gold.size()) throw UsageError("token_accuracy: different numbers of sentences");
  std::size_t right = 0, total = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    if (predicted[i].size() != gold[i].size())
      throw UsageError("token_accuracy: sentence " + std::to_string(i) + " has " + std::to_string(predicted[i].size()) +
                       " predicted tags for " + std::to_string(gold[i].size()) + " words");
    for (std::size_t t = 0; t < gold[i].size(); ++t) right += predicted[i][t] == gold[i][t], ++total;
  }
  return total == 0 ? 0.0 : static_cast<double>(right) / static_cast<double>(total);
}

}  // namespace tapegrad::lm
