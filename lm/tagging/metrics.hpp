// TagScore: how well predicted tags match the gold tags of a split.
//   accuracy          = correct tokens / tokens                       (every tagged word counts once)
//   unknown accuracy  = correct unknown tokens / unknown tokens       (unknown: the word form, case-sensitive, is
//                                                                      not a training word form; KnownWords)
//   known accuracy    = the same over the other tokens
// Tags are compared by name, so a gold tag that no model can predict (one never seen in training) is simply an
// error, and still named in the confusion table: the count of each (gold → predicted) pair among the errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lm/tagging/tagged_corpus.hpp"

namespace tapegrad::lm {

struct TagConfusion {
  std::string gold, predicted;
  std::uint64_t count = 0;
};

class TagScore {
 public:
  // One tagged word.
  void add(std::string_view gold, std::string_view predicted, bool known);
  // One sentence: words, gold and predicted tags side by side (UsageError when their lengths differ).
  void add_sentence(std::span<const std::string_view> words, std::span<const std::string_view> gold,
                    std::span<const std::string_view> predicted, const KnownWords& known);
  // Adds another score's counts (e.g. of another part of the split).
  void merge(const TagScore& other);

  std::uint64_t tokens() const { return tokens_; }
  std::uint64_t correct() const { return correct_; }
  std::uint64_t unknown_tokens() const { return unknown_; }
  std::uint64_t unknown_correct() const { return unknown_correct_; }
  std::uint64_t errors() const { return tokens_ - correct_; }
  // Fractions in [0, 1]; 0 when there is no token to count.
  double accuracy() const { return ratio(correct_, tokens_); }
  double unknown_accuracy() const { return ratio(unknown_correct_, unknown_); }
  double known_accuracy() const { return ratio(correct_ - unknown_correct_, tokens_ - unknown_); }

  // The `top` most frequent errors, by count (descending), then gold and predicted tag (byte-wise).
  std::vector<TagConfusion> confusions(std::size_t top) const;
  // Printable: the accuracies with their counts, then the top confusions, one per line:
  //   accuracy 95.62 % (196,399 of 205,395)
  //   unknown words 75.70 % (7,364 of 9,728), known words 96.65 %
  //   most frequent errors (gold -> predicted):
  //        1,234  vbn -> vbd
  std::string describe(std::size_t top = 10) const;

 private:
  static double ratio(std::uint64_t a, std::uint64_t b) { return b == 0 ? 0.0 : double(a) / double(b); }

  std::uint64_t tokens_ = 0, correct_ = 0, unknown_ = 0, unknown_correct_ = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> errors_;
};

// "1,218,532": digits grouped by thousands (for the tables the tagging commands print).
std::string group_digits(std::uint64_t n);

}  // namespace tapegrad::lm
