// Training the neural tagger on tagged sentences: vocabularies from the training sentences, the sequence-task loop
// (lm/sequence/task_trainer.hpp) with validation accuracy as the model-selection score, the best model saved.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "lm/sequence/task_trainer.hpp"
#include "lm/tagging/neural_tagger.hpp"

namespace tapegrad::lm {

// Sentences with one tag per word (strings: tags unseen in training simply never match a prediction).
struct TagSentences {
  std::vector<std::vector<std::string>> words;
  std::vector<std::vector<std::string>> tags;
  std::size_t size() const { return words.size(); }
};

struct TaggerTrainSpec {
  EncoderConfig encoder;
  TaskTrainOptions train;
  std::uint64_t min_count = 1;  // words seen fewer times in training are <unk> for the word embedding
  std::string save;             // the best model's checkpoint ("" = not saved)
  nn::Metadata extra;           // more metadata for the checkpoint (e.g. the tagset)
};

struct TaggerTrainResult {
  std::unique_ptr<NeuralTagger> tagger;  // holding the best epoch's parameters
  TaskTrainResult training;
};

TaggerTrainResult train_tagger(const TagSentences& train, const TagSentences& valid, const TaggerTrainSpec& spec,
                               std::ostream& log);

// The tagger's tags (strings) for every word of every sentence.
std::vector<std::vector<std::string>> tag_sentences(NeuralTagger& tagger,
                                                    const std::vector<std::vector<std::string>>& words);
// Token accuracy of predicted against gold tags (equal shapes).
double token_accuracy(const std::vector<std::vector<std::string>>& predicted,
                      const std::vector<std::vector<std::string>>& gold);

}  // namespace tapegrad::lm
