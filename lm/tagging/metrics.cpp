// Tagging accuracy, unknown-word accuracy and the confusion table (see metrics.hpp).
#include "lm/tagging/metrics.hpp"

#include <algorithm>
#include <cstdio>

#include "ops/error.hpp"

namespace tapegrad::lm {

void TagScore::add(std::string_view gold, std::string_view predicted, bool known) {
  ++tokens_;
  const bool ok = gold == predicted;
  correct_ += ok;
  if (!known) {
    ++unknown_;
    unknown_correct_ += ok;
  }
  if (!ok) {
    const auto key = std::make_pair(std::string(gold), std::string(predicted));
    ++errors_[key];
  }
}

void TagScore::add_sentence(std::span<const std::string_view> words, std::span<const std::string_view> gold,
                            std::span<const std::string_view> predicted, const KnownWords& known) {
  if (gold.size() != words.size() || predicted.size() != words.size())
    throw UsageError("TagScore::add_sentence: " + std::to_string(words.size()) + " words, " +
                     std::to_string(gold.size()) + " gold tags and " + std::to_string(predicted.size()) +
                     " predicted tags");
  for (std::size_t i = 0; i < words.size(); ++i) add(gold[i], predicted[i], known.contains(words[i]));
}

void TagScore::merge(const TagScore& other) {
  tokens_ += other.tokens_;
  correct_ += other.correct_;
  unknown_ += other.unknown_;
  unknown_correct_ += other.unknown_correct_;
  for (const auto& [key, count] : other.errors_) errors_[key] += count;
}

std::vector<TagConfusion> TagScore::confusions(std::size_t top) const {
  std::vector<TagConfusion> all;
  all.reserve(errors_.size());
  for (const auto& [key, count] : errors_) all.push_back({key.first, key.second, count});
  // errors_ is ordered by (gold, predicted): a stable sort by count keeps that order among equal counts
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  if (all.size() > top) all.resize(top);
  return all;
}

std::string group_digits(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string TagScore::describe(std::size_t top) const {
  char buf[64];
  auto percent = [&](double x) {
    std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * x);
    return std::string(buf);
  };
  std::string s =
      "accuracy " + percent(accuracy()) + " (" + group_digits(correct_) + " of " + group_digits(tokens_) + ")\n";
  s += "unknown words " + percent(unknown_accuracy()) + " (" + group_digits(unknown_correct_) + " of " +
       group_digits(unknown_) + "), known words " + percent(known_accuracy()) + "\n";
  const std::vector<TagConfusion> c = confusions(top);
  if (!c.empty()) {
    s += "most frequent errors (gold -> predicted):\n";
    for (const TagConfusion& e : c) {
      std::snprintf(buf, sizeof buf, "%10s  ", group_digits(e.count).c_str());
      s += buf + e.gold + " -> " + e.predicted + "\n";
    }
  }
  return s;
}

}  // namespace tapegrad::lm
