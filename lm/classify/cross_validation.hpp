// k-fold cross-validation for any classifier: the caller trains and scores one round, the runner walks the folds,
// times them and summarises. For k = 0 … K−1: train on every fold but k, test on fold k (cv_fold); report each
// round's accuracy a_k, their mean and their sample standard deviation sqrt(Σ (a_k − mean)² / (K − 1)).
// Model selection inside a round (epochs, hyper-parameters) must use only that round's training part.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "lm/classify/labelled_corpus.hpp"
#include "lm/classify/metrics.hpp"

namespace tapegrad::lm {

// One round's outcome. A train-and-score callable may return a bare accuracy (a double converts to a FoldResult)
// or fill the confusion matrix too; the runner sets fold, sizes and seconds.
struct FoldResult {
  FoldResult() = default;
  FoldResult(double acc) : accuracy(acc) {}  // implicit: lets a lambda return a double
  FoldResult(const ConfusionMatrix& m) : accuracy(m.accuracy()), confusion(m) {}  // implicit: or a confusion matrix

  int fold = 0;
  double accuracy = 0;  // fraction in [0, 1]
  std::optional<ConfusionMatrix> confusion;
  std::size_t train_size = 0, test_size = 0;
  double seconds = 0;  // wall time of the round (training and scoring)
};

struct CvResult {
  int num_folds = 0;
  std::vector<FoldResult> folds;  // in fold order
  double mean = 0, std = 0;       // of the accuracies; std is the sample standard deviation (n − 1)
  double seconds = 0;             // all rounds
};

// train_and_score(train, test, fold) trains a model on `train` and returns its result on `test`.
using TrainAndScore = std::function<FoldResult(const LabelledCorpus& train, const LabelledCorpus& test, int fold)>;

// Runs the rounds 0 … num_folds − 1 in order; after each one calls on_fold (when given) with its result, e.g. to print
// a line while the next round runs. Throws UsageError for fewer than 2 folds or a fold with no test sentence.
CvResult cross_validate(const LabelledCorpus& data, int num_folds, const TrainAndScore& train_and_score,
                        const std::function<void(const FoldResult&)>& on_fold = {});

}  // namespace tapegrad::lm
