// Classifier: what every sentence classifier answers (naive Bayes here; neural classifiers beside it), so that
// evaluation, cross-validation and the CLI's eval / predict treat every model kind alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lm/classify/labelled_corpus.hpp"
#include "lm/classify/metrics.hpp"

namespace tapegrad::lm {

class Classifier {
 public:
  virtual ~Classifier() = default;

  // A short description for reports, e.g. "multinomial naive Bayes, unigram+bigram presence, alpha 1".
  virtual std::string describe() const = 0;
  // The label names, index = label id.
  virtual const std::vector<std::string>& labels() const = 0;
  // P(label | sentence) for every label (sums to 1).
  virtual std::vector<double> probabilities(const std::vector<std::string>& tokens) const = 0;
  // The most probable label; ties go to the lowest label id.
  virtual int predict(const std::vector<std::string>& tokens) const;
  // The predictions for many sentences at once (a model that batches overrides this).
  virtual std::vector<int> predict_all(const std::vector<LabelledSentence>& sentences) const;
  // Writes the model so that the kind's loader rebuilds it; atomic (a failure leaves no half-written file).
  virtual void save(const std::string& path) const = 0;
};

// Gold labels against predictions over a corpus. Throws UsageError when the corpus's label names are not the model's.
ConfusionMatrix evaluate(const Classifier& model, const LabelledCorpus& data);

}  // namespace tapegrad::lm
