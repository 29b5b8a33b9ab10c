// Word-tag counts of the training split (see lexicon.hpp).
#include "lm/tagging/lexicon.hpp"

#include <algorithm>

#include "ops/error.hpp"

namespace tapegrad::lm {

TagLexicon TagLexicon::build(const TokenCorpus& train, const TagVocab& tags) {
  if (!train.tagged() && train.num_tokens() > 0)
    throw UsageError("TagLexicon::build: the corpus " + train.source() + " has no tags");
  TagLexicon lex;
  for (std::size_t s = 0; s < train.num_sentences(); ++s) {
    const auto words = train.sentence(s);
    const auto gold = train.tags(s);
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto id = tags.find(gold[i]);
      if (!id)
        throw UsageError("TagLexicon::build: the tag '" + std::string(gold[i]) + "' is not in the tag vocabulary");
      lex.add(words[i], *id, 1, tags.size());
    }
  }
  return lex;
}

void TagLexicon::add(std::string_view word, TagId tag, std::uint64_t count, std::size_t num_tags) {
  if (tag >= num_tags)
    throw UsageError("TagLexicon::add: tag id " + std::to_string(tag) + " for '" + std::string(word) + "', but only " +
                     std::to_string(num_tags) + " tags");
  if (count == 0) throw UsageError("TagLexicon::add: a zero count for '" + std::string(word) + "'");
  auto it = entries_.find(word);
  if (it == entries_.end()) it = entries_.emplace(std::string(word), Entry{}).first;
  Entry& e = it->second;
  auto at = std::lower_bound(e.tags.begin(), e.tags.end(), tag, [](const TagCount& c, TagId t) { return c.tag < t; });
  if (at == e.tags.end() || at->tag != tag) at = e.tags.insert(at, TagCount{tag, 0});
  at->count += count;
  e.total += count;
}

std::vector<std::string_view> TagLexicon::sorted_words() const {
  std::vector<std::string_view> words;
  words.reserve(entries_.size());
  for (const auto& [word, entry] : entries_) words.push_back(word);
  std::sort(words.begin(), words.end());
  return words;
}

}  // namespace tapegrad::lm
