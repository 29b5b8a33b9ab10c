// TagVocab: the tags a tagger can predict, as dense ids, built from the training split.
//
// Id rule: the tags of the training split by descending count, ties in byte-wise order of the name (so id 0 is the
// most frequent training tag, and a smaller id always means a tag at least as frequent).
// A tag that never occurs in training (30 valid and 57 test tokens under the base tagset, none under univ) has no
// id a model can output: id() gives it unseen() == size(), one past the last real id, so a prediction is never equal
// to it and the token counts as an error, as the protocol requires. Scoring compares tag names (metrics.hpp), so the
// confusion table still names such a gold tag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lm/tagging/string_hash.hpp"
#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

using TagId = std::uint32_t;

class TagVocab {
 public:
  TagVocab() = default;
  // The tags of a tagged corpus with their counts, ordered by the id rule. UsageError for an untagged corpus,
  // FormatError for one without a single tag.
  static TagVocab build(const TokenCorpus& train);
  // From tags already in id order (a saved model); counts empty or parallel. UsageError on a duplicate.
  static TagVocab from_tags(std::vector<std::string> tags, std::vector<std::uint64_t> counts = {});

  std::size_t size() const { return names_.size(); }
  const std::string& name(TagId id) const { return names_.at(id); }
  const std::vector<std::string>& names() const { return names_; }
  std::uint64_t count(TagId id) const { return counts_.empty() ? 0 : counts_.at(id); }
  const std::vector<std::uint64_t>& counts() const { return counts_; }

  std::optional<TagId> find(std::string_view tag) const;
  // The id of a tag, or unseen() for a tag not in the vocabulary.
  TagId unseen() const { return static_cast<TagId>(names_.size()); }
  TagId id(std::string_view tag) const { return find(tag).value_or(unseen()); }
  // The ids of a sentence's tags (unseen() for the tags not in the vocabulary).
  std::vector<TagId> encode(std::span<const std::string_view> tags) const;

 private:
  void index();

  std::vector<std::string> names_;
  std::vector<std::uint64_t> counts_;
  std::unordered_map<std::string, TagId, StringHash, std::equal_to<>> ids_;
};

}  // namespace tapegrad::lm
