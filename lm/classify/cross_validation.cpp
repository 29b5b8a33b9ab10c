// The k-fold runner of cross_validation.hpp.
#include "lm/classify/cross_validation.hpp"

#include <chrono>

#include "ops/error.hpp"

namespace tapegrad::lm {

CvResult cross_validate(const LabelledCorpus& data, int num_folds, const TrainAndScore& train_and_score,
                        const std::function<void(const FoldResult&)>& on_fold) {
  using Clock = std::chrono::steady_clock;
  if (num_folds < 2) throw UsageError("cross-validation needs at least 2 folds, got " + std::to_string(num_folds));
  CvResult r;
  r.num_folds = num_folds;
  const Clock::time_point start = Clock::now();
  std::vector<double> accuracies;
  for (int k = 0; k < num_folds; ++k) {
    const Clock::time_point round_start = Clock::now();
    const CvSplit split = cv_fold(data, k, num_folds);
    if (split.test.empty() || split.train.empty())
      throw UsageError(data.source + ": fold " + std::to_string(k) + " of " + std::to_string(num_folds) +
                       " leaves an empty " + (split.test.empty() ? "test" : "training") + " part");
    FoldResult f = train_and_score(split.train, split.test, k);
    f.fold = k;
    f.train_size = split.train.size();
    f.test_size = split.test.size();
    f.seconds = std::chrono::duration<double>(Clock::now() - round_start).count();
    accuracies.push_back(f.accuracy);
    r.folds.push_back(f);
    if (on_fold) on_fold(r.folds.back());
  }
  const MeanStd ms = mean_and_sample_std(accuracies);
  r.mean = ms.mean;
  r.std = ms.std;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace tapegrad::lm
