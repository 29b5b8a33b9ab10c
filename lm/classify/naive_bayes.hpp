// Multinomial naive Bayes over n-gram presence features — the count-based baseline of sentence classification.
//
// Features. F(x) is the set of distinct n-grams of sentence x for n = 1 … max_n (unigrams and bigrams by default),
// each counted once however often it occurs (binarised, "presence"). An n-gram is written as its tokens joined by
// one space; tokens never contain a space (split_on_space), so "a b" is the bigram (a, b) and nothing else.
// Training on sentences x_i with labels y_i:
//   N_c      = #{ i : y_i = c }                                  sentences of class c
//   n_{c,f}  = #{ i : y_i = c, f ∈ F(x_i) }                      sentences of class c containing f
//   V        = ∪_i F(x_i)                                        the training part's features (all classes)
//   T_c      = Σ_{f ∈ V} n_{c,f}
//   log π_c  = log (N_c / Σ_c' N_c')                              maximum-likelihood prior
//   log θ_{c,f} = log ((n_{c,f} + α) / (T_c + α |V|))             add-α smoothing (α = 1: Laplace)
// Prediction (log space; features outside V are ignored, they carry no evidence the model has seen):
//   s_c(x) = log π_c + Σ_{f ∈ F(x) ∩ V} log θ_{c,f}              = log P(c, x) up to a constant
//   P(c | x) = exp(s_c − max_c' s_c') / Σ_c'' exp(s_c'' − max_c' s_c')
//   predict(x) = argmax_c s_c(x), a tie going to the lowest label id.
// The sum runs over F(x) in the order presence_features returns it, so scores are bit-identical from run to run.
//
// File (save/load): one line of JSON, {"format":"tapegrad-naive-bayes","version":1,"alpha":…,"max_n":…,
// "labels":[…],"class_sentences":[N_c…],"features":[f…],"counts":[[n_{0,f}…],[n_{1,f}…],…]} — the counts, from
// which the log-probabilities are recomputed on loading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lm/classify/classifier.hpp"
#include "lm/classify/labelled_corpus.hpp"

namespace tapegrad::lm {

struct NaiveBayesOptions {
  double alpha = 1.0;  // add-α smoothing; must be > 0 (finite)
  int max_n = 2;       // n-grams of 1 … max_n tokens (1 = unigrams only); 1 ≤ max_n ≤ 9
  // Throws UsageError naming the bad value.
  void validate() const;
};

// F(x): the distinct n-grams (n = 1 … max_n) of a sentence, by n and then left to right, each at its first occurrence.
std::vector<std::string> presence_features(const std::vector<std::string>& tokens, int max_n);

class NaiveBayes : public Classifier {
 public:
  // Throws UsageError for bad options, an empty corpus or a label without training sentences.
  static NaiveBayes train(const LabelledCorpus& data, const NaiveBayesOptions& options = {});
  // Throws IoError / FormatError naming the file (and what is wrong in it).
  static NaiveBayes load(const std::string& path);
  static NaiveBayes from_json(const std::string& text, const std::string& source);
  // Whether the file starts like a saved naive Bayes model (a cheap look at its first bytes; false if unreadable).
  static bool is_saved_model(const std::string& path);

  std::string to_json() const;
  void save(const std::string& path) const override;

  std::string describe() const override;
  const std::vector<std::string>& labels() const override { return labels_; }
  // s_c(x) for every class c.
  std::vector<double> log_joint(const std::vector<std::string>& tokens) const;
  std::vector<double> probabilities(const std::vector<std::string>& tokens) const override;
  int predict(const std::vector<std::string>& tokens) const override;

  const NaiveBayesOptions& options() const { return options_; }
  std::size_t num_features() const { return features_.size(); }                                            // |V|
  std::uint64_t class_sentences(int c) const { return class_sentences_.at(static_cast<std::size_t>(c)); }  // N_c
  double log_prior(int c) const { return log_prior_.at(static_cast<std::size_t>(c)); }                     // log π_c
  // log θ_{c,f}, or nothing when f is not in V.
  std::optional<double> log_likelihood(int c, const std::string& feature) const;
  // n_{c,f} (0 when f is not in V).
  std::uint64_t feature_count(int c, const std::string& feature) const;

 private:
  NaiveBayes() = default;
  std::uint32_t add_feature(const std::string& f);  // its id, new or existing
  void estimate();                                  // log_prior_ and log_theta_ from the counts

  NaiveBayesOptions options_;
  std::vector<std::string> labels_;
  std::vector<std::uint64_t> class_sentences_;            // N_c
  std::vector<std::string> features_;                     // V, by id (first seen in training order)
  std::unordered_map<std::string, std::uint32_t> index_;  // feature → id
  std::vector<std::vector<std::uint64_t>> counts_;        // counts_[c][id] = n_{c,f}
  std::vector<double> log_prior_;                         // log π_c
  std::vector<std::vector<double>> log_theta_;            // log_theta_[c][id] = log θ_{c,f}
};

}  // namespace tapegrad::lm
