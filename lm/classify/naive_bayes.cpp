// Multinomial naive Bayes on presence features: counting, estimation, scoring, and the JSON file (formulas in
// naive_bayes.hpp).
#include "lm/classify/naive_bayes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

constexpr const char* kFormat = "tapegrad-naive-bayes";
constexpr int kVersion = 1;

std::string ngram_name(int max_n) {
  if (max_n == 1) return "unigram";
  if (max_n == 2) return "unigram+bigram";
  return "1- to " + std::to_string(max_n) + "-gram";
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

void NaiveBayesOptions::validate() const {
  if (!(alpha > 0) || !std::isfinite(alpha))
    throw UsageError("naive Bayes: alpha must be a positive number, got " + number(alpha));
  if (max_n < 1 || max_n > 9)
    throw UsageError("naive Bayes: n-grams of 1 to 9 tokens, got max_n " + std::to_string(max_n));
}

std::vector<std::string> presence_features(const std::vector<std::string>& tokens, int max_n) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (int n = 1; n <= max_n; ++n) {
    const auto len = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i + len <= tokens.size(); ++i) {
      std::string f = tokens[i];
      for (std::size_t j = 1; j < len; ++j) (f += ' ') += tokens[i + j];
      if (seen.insert(f).second) out.push_back(std::move(f));
    }
  }
  return out;
}

std::uint32_t NaiveBayes::add_feature(const std::string& f) {
  const auto [it, inserted] = index_.try_emplace(f, static_cast<std::uint32_t>(features_.size()));
  if (inserted) {
    features_.push_back(f);
    for (auto& c : counts_) c.push_back(0);
  }
  return it->second;
}

NaiveBayes NaiveBayes::train(const LabelledCorpus& data, const NaiveBayesOptions& options) {
  options.validate();
  if (data.empty()) throw UsageError(data.source + ": no sentences to train naive Bayes on");
  NaiveBayes m;
  m.options_ = options;
  m.labels_ = data.label_names;
  const std::size_t num_classes = m.labels_.size();
  m.class_sentences_.assign(num_classes, 0);
  m.counts_.assign(num_classes, {});
  for (const LabelledSentence& s : data.sentences) {
    if (s.label < 0 || static_cast<std::size_t>(s.label) >= num_classes)
      throw UsageError(data.source + ": label id " + std::to_string(s.label) + " outside its " +
                       std::to_string(num_classes) + " label names");
    const auto c = static_cast<std::size_t>(s.label);
    ++m.class_sentences_[c];
    for (const std::string& f : presence_features(s.tokens, options.max_n)) ++m.counts_[c][m.add_feature(f)];
  }
  for (std::size_t c = 0; c < num_classes; ++c)
    if (m.class_sentences_[c] == 0)
      throw UsageError(data.source + ": no training sentence has the label '" + m.labels_[c] + "'");
  m.estimate();
  return m;
}

void NaiveBayes::estimate() {
  const std::size_t num_classes = labels_.size();
  const auto v = static_cast<double>(features_.size());
  std::uint64_t n = 0;
  for (const std::uint64_t nc : class_sentences_) n += nc;
  log_prior_.assign(num_classes, 0);
  log_theta_.assign(num_classes, std::vector<double>(features_.size()));
  for (std::size_t c = 0; c < num_classes; ++c) {
    log_prior_[c] = std::log(static_cast<double>(class_sentences_[c]) / static_cast<double>(n));
    std::uint64_t total = 0;  // T_c
    for (const std::uint64_t x : counts_[c]) total += x;
    const double log_denominator = std::log(static_cast<double>(total) + options_.alpha * v);
    for (std::size_t f = 0; f < features_.size(); ++f)
      log_theta_[c][f] = std::log(static_cast<double>(counts_[c][f]) + options_.alpha) - log_denominator;
  }
}

std::vector<double> NaiveBayes::log_joint(const std::vector<std::string>& tokens) const {
  std::vector<double> s = log_prior_;
  for (const std::string& f : presence_features(tokens, options_.max_n)) {
    const auto it = index_.find(f);
    if (it == index_.end()) continue;  // not in V
    for (std::size_t c = 0; c < s.size(); ++c) s[c] += log_theta_[c][it->second];
  }
  return s;
}

std::vector<double> NaiveBayes::probabilities(const std::vector<std::string>& tokens) const {
  std::vector<double> p = log_joint(tokens);
  const double top = *std::max_element(p.begin(), p.end());
  double sum = 0;
  for (double& x : p) sum += (x = std::exp(x - top));
  for (double& x : p) x /= sum;
  return p;
}

int NaiveBayes::predict(const std::vector<std::string>& tokens) const {
  const std::vector<double> s = log_joint(tokens);
  return static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin());  // the first maximum
}

std::optional<double> NaiveBayes::log_likelihood(int c, const std::string& feature) const {
  const auto it = index_.find(feature);
  if (it == index_.end()) return std::nullopt;
  return log_theta_.at(static_cast<std::size_t>(c))[it->second];
}

std::uint64_t NaiveBayes::feature_count(int c, const std::string& feature) const {
  const auto it = index_.find(feature);
  return it == index_.end() ? 0 : counts_.at(static_cast<std::size_t>(c))[it->second];
}

std::string NaiveBayes::describe() const {
  return "multinomial naive Bayes, " + ngram_name(options_.max_n) + " presence features, alpha " +
         number(options_.alpha) + ", " + std::to_string(features_.size()) + " features";
}

std::string NaiveBayes::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["alpha"] = options_.alpha;
  j["max_n"] = options_.max_n;
  j["labels"] = labels_;
  j["class_sentences"] = class_sentences_;
  j["features"] = features_;
  j["counts"] = counts_;
  return j.dump() + "\n";
}

void NaiveBayes::save(const std::string& path) const { write_text_file(path, to_json()); }

NaiveBayes NaiveBayes::from_json(const std::string& text, const std::string& source) {
  NaiveBayes m;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains("format") || j["format"] != kFormat)
      throw FormatError(where(source) + "not a naive Bayes model (no \"format\": \"" + kFormat + "\")");
    if (j.at("version").get<int>() != kVersion)
      throw FormatError(where(source) + "naive Bayes file version " + j.at("version").dump() + ", this build reads " +
                        std::to_string(kVersion));
    m.options_.alpha = j.at("alpha").get<double>();
    m.options_.max_n = j.at("max_n").get<int>();
    try {
      m.options_.validate();
    } catch (const UsageError& e) {
      throw FormatError(where(source) + e.what());
    }
    m.labels_ = j.at("labels").get<std::vector<std::string>>();
    m.class_sentences_ = j.at("class_sentences").get<std::vector<std::uint64_t>>();
    const auto features = j.at("features").get<std::vector<std::string>>();
    m.counts_ = j.at("counts").get<std::vector<std::vector<std::uint64_t>>>();
    const std::size_t num_classes = m.labels_.size();
    if (num_classes < 2) throw FormatError(where(source) + "a classifier needs at least 2 labels");
    if (m.class_sentences_.size() != num_classes || m.counts_.size() != num_classes)
      throw FormatError(where(source) + std::to_string(num_classes) + " labels but " +
                        std::to_string(m.class_sentences_.size()) + " class_sentences and " +
                        std::to_string(m.counts_.size()) + " rows of counts");
    for (std::size_t c = 0; c < num_classes; ++c) {
      if (m.class_sentences_[c] == 0)
        throw FormatError(where(source) + "label '" + m.labels_[c] + "' has no training sentence");
      if (m.counts_[c].size() != features.size())
        throw FormatError(where(source) + "counts of label '" + m.labels_[c] + "' has " +
                          std::to_string(m.counts_[c].size()) + " entries for " + std::to_string(features.size()) +
                          " features");
      for (std::size_t f = 0; f < features.size(); ++f)
        if (m.counts_[c][f] > m.class_sentences_[c])
          throw FormatError(where(source) + "feature '" + features[f] + "' is present in more sentences of '" +
                            m.labels_[c] + "' than there are");
    }
    m.features_.reserve(features.size());
    for (const std::string& f : features) {
      if (f.empty()) throw FormatError(where(source) + "an empty feature");
      if (!m.index_.try_emplace(f, static_cast<std::uint32_t>(m.features_.size())).second)
        throw FormatError(where(source) + "the feature '" + f + "' is listed twice");
      m.features_.push_back(f);
    }
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(where(source) + "malformed naive Bayes model: " + e.what());
  }
  m.estimate();
  return m;
}

NaiveBayes NaiveBayes::load(const std::string& path) { return from_json(read_text_file(path), path); }

bool NaiveBayes::is_saved_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string head(128, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.find(std::string("\"format\":\"") + kFormat + "\"") != std::string::npos;
}

}  // namespace tapegrad::lm
