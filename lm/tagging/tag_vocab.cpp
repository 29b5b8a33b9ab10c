// The tag vocabulary: the id rule and lookups (see tag_vocab.hpp).
#include "lm/tagging/tag_vocab.hpp"

#include <algorithm>

#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

TagVocab TagVocab::build(const TokenCorpus& train) {
  if (!train.tagged() && train.num_tokens() > 0)
    throw UsageError("TagVocab::build: the corpus " + train.source() + " has no tags");
  std::unordered_map<std::string_view, std::uint64_t> counts;
  for (std::size_t s = 0; s < train.num_sentences(); ++s)
    for (std::string_view t : train.tags(s)) ++counts[t];
  if (counts.empty()) throw FormatError(where(train.source()) + "no tagged word to build a tag vocabulary from");
  std::vector<std::pair<std::string_view, std::uint64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> names;
  std::vector<std::uint64_t> c;
  for (const auto& [tag, count] : sorted) {
    names.emplace_back(tag);
    c.push_back(count);
  }
  return from_tags(std::move(names), std::move(c));
}

TagVocab TagVocab::from_tags(std::vector<std::string> tags, std::vector<std::uint64_t> counts) {
  if (!counts.empty() && counts.size() != tags.size())
    throw UsageError("TagVocab::from_tags: " + std::to_string(tags.size()) + " tags but " +
                     std::to_string(counts.size()) + " counts");
  TagVocab v;
  v.names_ = std::move(tags);
  v.counts_ = std::move(counts);
  v.index();
  return v;
}

void TagVocab::index() {
  ids_.clear();
  for (TagId id = 0; id < names_.size(); ++id) {
    if (names_[id].empty()) throw UsageError("TagVocab: an empty tag name");
    if (!ids_.emplace(names_[id], id).second) throw UsageError("TagVocab: the tag '" + names_[id] + "' twice");
  }
}

std::optional<TagId> TagVocab::find(std::string_view tag) const {
  const auto it = ids_.find(tag);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<TagId> TagVocab::encode(std::span<const std::string_view> tags) const {
  std::vector<TagId> ids;
  ids.reserve(tags.size());
  for (std::string_view t : tags) ids.push_back(id(t));
  return ids;
}

}  // namespace tapegrad::lm
