// Accuracy, the confusion matrix and the sample standard deviation (formulas in metrics.hpp).
#include "lm/classify/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "ops/error.hpp"

namespace tapegrad::lm {

double accuracy(std::span<const int> gold, std::span<const int> predicted) {
  if (gold.size() != predicted.size())
    throw UsageError("accuracy: " + std::to_string(gold.size()) + " gold labels but " +
                     std::to_string(predicted.size()) + " predictions");
  if (gold.empty()) throw UsageError("accuracy: no labels");
  std::size_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) correct += gold[i] == predicted[i];
  return static_cast<double>(correct) / static_cast<double>(gold.size());
}

void ConfusionMatrix::add(int gold, int predicted) {
  for (const int label : {gold, predicted})
    if (label < 0 || static_cast<std::size_t>(label) >= n_)
      throw UsageError("confusion matrix: label " + std::to_string(label) + " is outside 0.." +
                       std::to_string(static_cast<long long>(n_) - 1));
  ++counts_[static_cast<std::size_t>(gold) * n_ + static_cast<std::size_t>(predicted)];
  ++total_;
}

std::size_t ConfusionMatrix::count(int gold, int predicted) const {
  return counts_.at(static_cast<std::size_t>(gold) * n_ + static_cast<std::size_t>(predicted));
}

std::size_t ConfusionMatrix::correct() const {
  std::size_t c = 0;
  for (std::size_t i = 0; i < n_; ++i) c += counts_[i * n_ + i];
  return c;
}

double ConfusionMatrix::accuracy() const {
  return total_ == 0 ? 0.0 : static_cast<double>(correct()) / static_cast<double>(total_);
}

std::string ConfusionMatrix::to_string(const std::vector<std::string>& label_names) const {
  auto name = [&](std::size_t i) { return i < label_names.size() ? label_names[i] : std::to_string(i); };
  std::size_t width = std::string("gold \\ predicted").size();
  std::size_t column = 6;
  for (std::size_t i = 0; i < n_; ++i) column = std::max(column, name(i).size());
  auto pad = [](std::string s, std::size_t w, bool right) {
    const std::string fill(s.size() < w ? w - s.size() : 0, ' ');
    return right ? fill + s : s + fill;
  };
  for (std::size_t i = 0; i < n_; ++i) width = std::max(width, name(i).size());
  std::string out = pad("gold \\ predicted", width, false);
  for (std::size_t p = 0; p < n_; ++p) out += "  " + pad(name(p), column, true);
  out += '\n';
  for (std::size_t g = 0; g < n_; ++g) {
    out += pad(name(g), width, false);
    for (std::size_t p = 0; p < n_; ++p) out += "  " + pad(std::to_string(counts_[g * n_ + p]), column, true);
    out += '\n';
  }
  return out;
}

MeanStd mean_and_sample_std(std::span<const double> values) {
  if (values.empty()) throw UsageError("mean and standard deviation of no values");
  const auto n = static_cast<double>(values.size());
  double sum = 0;
  for (const double v : values) sum += v;
  MeanStd r;
  r.mean = sum / n;
  if (values.size() > 1) {
    double squares = 0;
    for (const double v : values) squares += (v - r.mean) * (v - r.mean);
    r.std = std::sqrt(squares / (n - 1));
  }
  return r;
}

}  // namespace tapegrad::lm
