// The Brown tagging splits, the set of training word forms and the protocol's counts (see tagged_corpus.hpp).
#include "lm/tagging/tagged_corpus.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

const TokenCorpus& TaggedSplits::split(std::string_view name) const {
  if (name == "train") return train;
  if (name == "valid") return valid;
  if (name == "test") return test;
  throw UsageError("unknown split '" + std::string(name) + "' (valid splits: train, valid, test)");
}

namespace {

// Every distinct raw tag of the corpus mapped once. The mapped names live in one buffer (which the splits keep
// alive); `mapped` sends a raw tag to its name in that buffer.
struct MappedTags {
  std::shared_ptr<const std::string> buffer;
  std::unordered_map<std::string_view, std::string_view> mapped;
  std::size_t distinct = 0;  // distinct mapped names
};

MappedTags map_tags(const BrownCorpus& corpus, const TagMapping& mapping) {
  const TokenCorpus& sentences = corpus.sentences();
  std::unordered_map<std::string_view, std::string> names;  // raw → mapped
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < sentences.num_sentences(); ++i)
    for (std::string_view raw : sentences.tags(i)) {
      if (names.contains(raw)) continue;
      std::string name;
      try {
        name = std::string(mapping(raw));
      } catch (const FormatError& e) {
        throw FormatError(std::string(e.what()) + "; the tag first occurs in " +
                          corpus.file_name(corpus.sentence_file(i)) + ", line " + std::to_string(sentences.line(i)));
      }
      bytes += name.size();
      names.emplace(raw, std::move(name));
    }
  auto buffer = std::make_shared<std::string>();
  buffer->reserve(bytes);  // no reallocation below, so the views into it stay valid
  std::unordered_map<std::string, std::string_view> interned;
  MappedTags out;
  for (const auto& [raw, name] : names) {
    auto it = interned.find(name);
    if (it == interned.end()) {
      const std::size_t at = buffer->size();
      *buffer += name;
      it = interned.emplace(name, std::string_view(*buffer).substr(at, name.size())).first;
    }
    out.mapped.emplace(raw, it->second);
  }
  out.distinct = interned.size();
  out.buffer = std::move(buffer);
  return out;
}

}  // namespace

TaggedSplits make_tagged_splits(const BrownCorpus& corpus, const TagMapping& mapping, const BrownOptions& options) {
  if (options.train_end > options.valid_end)
    throw UsageError("make_tagged_splits: the train end must not come after the validation end");
  const TokenCorpus& sentences = corpus.sentences();
  if (!sentences.tagged() && sentences.num_tokens() > 0)
    throw UsageError("make_tagged_splits: the corpus " + sentences.source() + " has no tags");
  const MappedTags tags_of = map_tags(corpus, mapping);

  TaggedSplits out;
  out.tagset = mapping.tagset();
  out.corpus_tags = tags_of.distinct;
  TokenCorpus* splits[3] = {&out.train, &out.valid, &out.test};
  const char* labels[3] = {"brown tagging train", "brown tagging valid", "brown tagging test"};
  for (int s = 0; s < 3; ++s) {
    *splits[s] = TokenCorpus(labels[s]);
    for (const auto& b : sentences.buffers()) splits[s]->keep_alive(b);
    splits[s]->keep_alive(tags_of.buffer);
  }

  // The walk: word positions count one </s> per sentence; a unit closes at a sentence end and at a split boundary.
  std::vector<std::string_view> words, tags;
  int current = 0;
  auto close = [&] {
    if (words.empty()) return;
    TokenCorpus& c = *splits[current];
    c.add_sentence(words, tags, c.num_sentences() + 1);  // "line": the unit's number in its split
    words.clear();
    tags.clear();
  };
  auto split_of = [&](std::uint64_t p) { return p < options.train_end ? 0 : p < options.valid_end ? 1 : 2; };
  std::uint64_t pos = 0;
  for (std::size_t i = 0; i < sentences.num_sentences(); ++i) {
    const auto w = sentences.sentence(i);
    const auto t = sentences.tags(i);
    for (std::size_t j = 0; j < w.size(); ++j) {
      const int s = split_of(pos++);
      if (s != current) {
        close();
        current = s;
      }
      words.push_back(w[j]);
      tags.push_back(tags_of.mapped.at(t[j]));
    }
    close();
    current = split_of(pos++);  // the </s> after the sentence
  }
  return out;
}

KnownWords::KnownWords(const TokenCorpus& train) {
  for (std::size_t s = 0; s < train.num_sentences(); ++s)
    for (std::string_view w : train.sentence(s))
      if (words_.find(w) == words_.end()) words_.emplace(w);
}

TaggedSplitCounts count_split(const TokenCorpus& split, const KnownWords& known, const TagVocab& train_tags) {
  TaggedSplitCounts c;
  c.units = split.num_sentences();
  std::unordered_set<std::string_view> tags;
  for (std::size_t s = 0; s < split.num_sentences(); ++s) {
    const auto words = split.sentence(s);
    const auto gold = split.tags(s);
    c.words += words.size();
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (!known.contains(words[i])) ++c.unknown_words;
      if (!gold.empty()) {
        tags.insert(gold[i]);
        if (!train_tags.find(gold[i])) ++c.unseen_tag_tokens;
      }
    }
  }
  c.distinct_tags = tags.size();
  return c;
}

}  // namespace tapegrad::lm
