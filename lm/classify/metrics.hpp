// How well a classifier did: accuracy, the confusion matrix, and the mean and sample standard deviation of a list of
// scores (cross-validation folds, seeds).
//   accuracy = (1/N) Σ_i [predicted_i = gold_i]
//   mean     = (1/n) Σ_k a_k
//   std      = sqrt( Σ_k (a_k − mean)² / (n − 1) )   (the sample standard deviation; 0 for n = 1)
// Accuracies are fractions in [0, 1]; the CLI prints them as percentages.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tapegrad::lm {

// Fraction of positions where predicted equals gold. Throws UsageError when the lengths differ or both are empty.
double accuracy(std::span<const int> gold, std::span<const int> predicted);

// counts(g, p): how many sentences of gold label g were predicted as p (rows gold, columns predicted).
class ConfusionMatrix {
 public:
  ConfusionMatrix() = default;
  explicit ConfusionMatrix(std::size_t num_labels) : n_(num_labels), counts_(num_labels * num_labels, 0) {}

  // Throws UsageError for a label outside 0..num_labels − 1.
  void add(int gold, int predicted);
  std::size_t num_labels() const { return n_; }
  std::size_t count(int gold, int predicted) const;
  std::size_t total() const { return total_; }
  std::size_t correct() const;  // the diagonal
  double accuracy() const;      // correct / total (0 when empty)

  // A table with the label names as row and column heads, e.g.
  //   gold \ predicted  negative  positive
  //   negative               412       122
  //   positive               101       433
  std::string to_string(const std::vector<std::string>& label_names) const;

 private:
  std::size_t n_ = 0, total_ = 0;
  std::vector<std::size_t> counts_;
};

struct MeanStd {
  double mean = 0, std = 0;
};
// The mean and the sample standard deviation (divisor n − 1) of the values. Throws UsageError when empty.
MeanStd mean_and_sample_std(std::span<const double> values);

}  // namespace tapegrad::lm
