// BiLstmClassifier: the neural sentence classifier (neural_classifier.hpp) as a Classifier of this folder, so that
// `tapegrad classify` trains, cross-validates, saves, loads and applies it like naive Bayes. Its file is a
// safetensors checkpoint; predict_all classifies many sentences in length-bucketed batches.
#pragma once

#include <iosfwd>
#include <memory>

#include "lm/classify/classifier.hpp"
#include "lm/classify/train_classifier.hpp"

namespace tapegrad::lm {

class BiLstmClassifier : public Classifier {
 public:
  explicit BiLstmClassifier(std::unique_ptr<NeuralClassifier> model) : model_(std::move(model)) {}

  // Trains on `train`, choosing the epoch on `valid`; with `valid` empty, every 10th training sentence (by position)
  // is held out as validation instead (cross-validation rounds select epochs on their training folds only).
  static BiLstmClassifier train(const LabelledCorpus& train, const LabelledCorpus& valid, ClassifierTrainSpec spec,
                                std::ostream& log);
  static BiLstmClassifier load(const std::string& path) { return BiLstmClassifier(NeuralClassifier::load(path)); }
  static bool is_checkpoint_path(const std::string& path);

  std::string describe() const override;
  const std::vector<std::string>& labels() const override { return model_->labels(); }
  std::vector<double> probabilities(const std::vector<std::string>& tokens) const override;
  std::vector<int> predict_all(const std::vector<LabelledSentence>& sentences) const override;
  void save(const std::string& path) const override;

  NeuralClassifier& model() const { return *model_; }

 private:
  std::unique_ptr<NeuralClassifier> model_;
};

}  // namespace tapegrad::lm
