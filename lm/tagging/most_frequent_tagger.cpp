// The most-frequent-tag baseline: training, tagging, its file (see most_frequent_tagger.hpp).
#include "lm/tagging/most_frequent_tagger.hpp"

#include "lm/tagging/lexicon.hpp"
#include "lm/tagging/tagger_file.hpp"
#include "lm/text/error.hpp"

namespace tapegrad::lm {

using nlohmann::json;

MostFrequentTagger MostFrequentTagger::train(const TokenCorpus& train, Tagset tagset) {
  MostFrequentTagger m(tagset, TagVocab::build(train));
  const TagLexicon lexicon = TagLexicon::build(train, m.tags());
  lexicon.for_each([&](std::string_view word, const TagLexicon::Entry& e) {
    TagCount best = e.tags.front();
    for (const TagCount& c : e.tags)  // by ascending id: a strictly larger count is needed to win
      if (c.count > best.count) best = c;
    m.best_.emplace(std::string(word), best.tag);
  });
  return m;
}

std::string MostFrequentTagger::describe() const {
  return "most frequent tag per word (" + std::string(tagset_name(tagset())) +
         " tags: " + std::to_string(tags().size()) + "), " + group_digits(best_.size()) +
         " word forms, unknown words -> " + tags().name(default_tag());
}

std::vector<TagId> MostFrequentTagger::tag(std::span<const std::string_view> words) const {
  std::vector<TagId> out;
  out.reserve(words.size());
  for (std::string_view w : words) {
    const auto it = best_.find(w);
    out.push_back(it == best_.end() ? default_tag() : it->second);
  }
  return out;
}

void MostFrequentTagger::save(const std::string& path) const {
  json j = tagger_header(kKind, tagset(), tags());
  json words = json::object();  // an ordered map: the file does not depend on hashing
  for (const auto& [word, tag] : best_) words[word] = tag;
  j["words"] = std::move(words);
  write_tagger_file(path, j);
}

MostFrequentTagger MostFrequentTagger::load(const std::string& path) { return from_file(read_tagger_file(path)); }

MostFrequentTagger MostFrequentTagger::from_file(const TaggerFile& file) {
  expect_kind(file, kKind);
  MostFrequentTagger m(file.header.tagset, file.header.tags);
  try {
    for (const auto& [word, tag] : file.json.at("words").items()) {
      const auto id = tag.get<TagId>();
      if (id >= m.tags().size())
        throw FormatError(where(file.path) + "the word '" + word + "' has tag id " + std::to_string(id) + " of " +
                          std::to_string(m.tags().size()));
      m.best_.emplace(word, id);
    }
  } catch (const json::exception& e) {
    throw FormatError(where(file.path) + "bad word list: " + e.what());
  }
  return m;
}

}  // namespace tapegrad::lm
