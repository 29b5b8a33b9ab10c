// The suffix model for unknown words (see suffix_model.hpp for the estimate).
#include "lm/tagging/suffix_model.hpp"

#include <algorithm>
#include <cmath>

#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

SuffixModel SuffixModel::build(const TagLexicon& lexicon, const TagVocab& tags, const SuffixOptions& options) {
  if (options.rare_max == 0) throw UsageError("suffix model: rare words must be seen at most rare_max >= 1 times");
  const std::size_t T = tags.size();
  SuffixModel m;
  m.options_ = options;
  m.num_tags_ = T;

  // θ and the prior from the tag counts of the training split.
  double total = 0;
  for (TagId t = 0; t < T; ++t) total += double(tags.count(t));
  if (total <= 0) throw UsageError("suffix model: the tag vocabulary has no counts");
  double ss = 0;
  m.log_prior_.resize(T);
  for (TagId t = 0; t < T; ++t) {
    const double p = double(tags.count(t)) / total;
    ss += (p - 1.0 / double(T)) * (p - 1.0 / double(T));
    m.log_prior_[t] = p > 0 ? std::log(p) : -INFINITY;
  }
  m.theta_ = T > 1 ? std::sqrt(ss / double(T - 1)) : 0.0;

  // The ending counts of the rare words, in sorted word order (the tables do not depend on hashing anyway).
  std::size_t rare = 0;
  for (std::string_view word : lexicon.sorted_words()) {
    const TagLexicon::Entry& e = *lexicon.find(word);
    if (e.total > options.rare_max) continue;
    ++rare;
    Table& table = m.table_[capitalised(word) ? 1 : 0];
    const std::size_t longest = std::min(options.max_suffix, word.size());
    for (std::size_t i = 0; i <= longest; ++i) {
      const std::string_view ending = word.substr(word.size() - i);
      auto it = table.find(ending);
      if (it == table.end()) it = table.emplace(std::string(ending), Counts{}).first;
      Counts& c = it->second;
      for (const TagCount& tc : e.tags) {
        auto at = std::lower_bound(c.tags.begin(), c.tags.end(), tc.tag,
                                   [](const TagCount& x, TagId t) { return x.tag < t; });
        if (at == c.tags.end() || at->tag != tc.tag) at = c.tags.insert(at, TagCount{tc.tag, 0});
        at->count += tc.count;
        c.total += tc.count;
      }
    }
  }
  if (rare == 0)
    throw FormatError("suffix model: no training word is seen at most " + std::to_string(options.rare_max) +
                      " times, so there is nothing to learn unknown words from");
  return m;
}

const SuffixModel::Table& SuffixModel::table_for(std::string_view word) const {
  const Table& own = table_[capitalised(word) ? 1 : 0];
  return own.empty() ? table_[capitalised(word) ? 0 : 1] : own;
}

std::size_t SuffixModel::estimate(std::string_view word, std::vector<double>& p) const {
  const Table& table = table_for(word);
  p.assign(num_tags_, 0.0);
  const Counts& root = table.find(std::string_view())->second;
  for (const TagCount& c : root.tags) p[c.tag] = double(c.count) / double(root.total);
  const std::size_t longest = std::min(options_.max_suffix, word.size());
  std::size_t used = 0;
  for (std::size_t i = 1; i <= longest; ++i) {
    const auto it = table.find(word.substr(word.size() - i));
    if (it == table.end()) break;
    const Counts& c = it->second;
    // P_i = (P̂(t | s_i) + θ P_{i−1}) / (1 + θ), over the candidates (the tags of the empty ending)
    for (const TagCount& r : root.tags) p[r.tag] *= theta_;
    for (const TagCount& x : c.tags) p[x.tag] += double(x.count) / double(c.total);
    for (const TagCount& r : root.tags) p[r.tag] /= 1.0 + theta_;
    used = i;
  }
  return used;
}

void SuffixModel::emissions(std::string_view word, std::vector<TagId>& tags, std::vector<float>& scores) const {
  std::vector<double> p;
  estimate(word, p);
  for (const TagCount& r : table_for(word).find(std::string_view())->second.tags) {
    tags.push_back(r.tag);
    scores.push_back(static_cast<float>(std::log(p[r.tag]) - log_prior_[r.tag]));
  }
}

std::vector<double> SuffixModel::tag_probabilities(std::string_view word) const {
  std::vector<double> p;
  estimate(word, p);
  return p;
}

std::size_t SuffixModel::matched_length(std::string_view word) const {
  std::vector<double> p;
  return estimate(word, p);
}

}  // namespace tapegrad::lm
