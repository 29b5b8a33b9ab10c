// Training the neural sentence classifier: vocabularies from the training sentences, the sequence-task loop
// (lm/sequence/task_trainer.hpp) with validation accuracy as the model-selection score, the best model saved.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "lm/classify/neural_classifier.hpp"
#include "lm/sequence/task_trainer.hpp"

namespace tapegrad::lm {

// Sentences (tokens) with one class id each.
struct ClassSentences {
  std::vector<std::vector<std::string>> tokens;
  std::vector<std::int32_t> labels;
  std::size_t size() const { return tokens.size(); }
};

struct ClassifierTrainSpec {
  EncoderConfig encoder;
  Pool pool = Pool::Max;
  std::vector<std::string> labels = {"negative", "positive"};
  TaskTrainOptions train;
  std::uint64_t min_count = 1;
  std::string save;    // the best model's checkpoint ("" = not saved)
  std::string init_from;  // a recurrent LM checkpoint to start the encoder from (lm/classify/lm_init.hpp); "" = random
  nn::Metadata extra;  // more metadata for the checkpoint
};

struct ClassifierTrainResult {
  std::unique_ptr<NeuralClassifier> classifier;  // holding the best epoch's parameters
  TaskTrainResult training;
};

ClassifierTrainResult train_classifier(const ClassSentences& train, const ClassSentences& valid,
                                       const ClassifierTrainSpec& spec, std::ostream& log);

// The most probable class of every sentence, and the share of them equal to the gold labels.
std::vector<std::int32_t> classify_sentences(NeuralClassifier& model, const std::vector<std::vector<std::string>>& s);
double class_accuracy(const std::vector<std::int32_t>& predicted, const std::vector<std::int32_t>& gold);

}  // namespace tapegrad::lm
