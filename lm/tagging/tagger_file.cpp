// The saved-tagger file: header, atomic write, checked read, n-gram counts as JSON (see tagger_file.hpp).
#include "lm/tagging/tagger_file.hpp"

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using nlohmann::json;

json tagger_header(const std::string& kind, Tagset tagset, const TagVocab& tags) {
  return {{"format", kTaggerFormat},
          {"version", kTaggerVersion},
          {"kind", kind},
          {"tagset", std::string(tagset_name(tagset))},
          {"tags", tags.names()},
          {"tag_counts", tags.counts()}};
}

TaggerHeader read_tagger_header(const json& j, const std::string& source) {
  if (!j.is_object() || !j.contains("format") || j["format"] != kTaggerFormat)
    throw FormatError(where(source) + "not a tapegrad tagger file (no \"format\": \"" + kTaggerFormat + "\")");
  if (j.value("version", 0) != kTaggerVersion)
    throw FormatError(where(source) + "tagger file version " +
                      (j.contains("version") ? j["version"].dump() : std::string("(none)")) +
                      ", this build reads version " + std::to_string(kTaggerVersion));
  try {
    TaggerHeader h;
    h.kind = j.at("kind").get<std::string>();
    h.tagset = parse_tagset(j.at("tagset").get<std::string>());
    h.tags = TagVocab::from_tags(j.at("tags").get<std::vector<std::string>>(),
                                 j.at("tag_counts").get<std::vector<std::uint64_t>>());
    if (h.tags.size() == 0) throw FormatError(where(source) + "the tagger has no tags");
    return h;
  } catch (const json::exception& e) {
    throw FormatError(where(source) + "bad tagger header: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(where(source) + "bad tagger header: " + e.what());
  }
}

void write_tagger_file(const std::string& path, const json& j) { write_text_file(path, j.dump() + "\n"); }

TaggerFile read_tagger_file(const std::string& path) {
  TaggerFile f;
  f.path = path;
  const std::string text = read_text_file(path, {.utf8 = true});
  try {
    f.json = json::parse(text);
  } catch (const json::parse_error& e) {
    throw FormatError(where(path) + "not a tapegrad tagger file (not JSON: " + e.what() + ")");
  }
  f.header = read_tagger_header(f.json, path);
  return f;
}

void expect_kind(const TaggerFile& file, const std::string& kind) {
  if (file.header.kind != kind)
    throw FormatError(where(file.path) + "a '" + file.header.kind + "' tagger, not '" + kind + "'");
}

json ngram_counts_to_json(const NgramCounts& c) {
  json levels = json::array();
  for (int n = 2; n <= c.order(); ++n) {
    std::vector<std::uint32_t> first_child, words;
    const std::size_t parents = c.trie.size(n - 1);
    for (std::uint32_t p = 0; p < parents; ++p) first_child.push_back(c.trie.children_begin(n - 1, p));
    first_child.push_back(static_cast<std::uint32_t>(c.trie.size(n)));
    for (std::uint32_t e = 0; e < c.trie.size(n); ++e) words.push_back(c.trie.word(n, e));
    levels.push_back({{"first_child", first_child},
                      {"words", words},
                      {"count", c.count[static_cast<std::size_t>(n - 1)]},
                      {"suffix", c.suffix[static_cast<std::size_t>(n - 1)]}});
  }
  return {{"vocab_size", c.vocab_size},
          {"sentences", c.sentences},
          {"tokens", c.tokens},
          {"unigram_count", c.count[0]},
          {"levels", levels}};
}

NgramCounts ngram_counts_from_json(const json& j, const std::string& source) {
  try {
    NgramCounts c;
    c.vocab_size = j.at("vocab_size").get<std::uint32_t>();
    c.sentences = j.at("sentences").get<std::uint64_t>();
    c.tokens = j.at("tokens").get<std::uint64_t>();
    c.trie = NgramTrie(c.vocab_size + 1);
    c.count.push_back(j.at("unigram_count").get<std::vector<std::uint32_t>>());
    c.suffix.emplace_back();
    if (c.count[0].size() != c.vocab_size + 1)
      throw FormatError(where(source) + "the tag n-gram counts have " + std::to_string(c.count[0].size()) +
                        " unigram counts for " + std::to_string(c.vocab_size + 1) + " symbols");
    for (const json& level : j.at("levels")) {
      const int n = c.order() + 1;
      auto words = level.at("words").get<std::vector<WordId>>();
      auto count = level.at("count").get<std::vector<std::uint32_t>>();
      auto suffix = level.at("suffix").get<std::vector<std::uint32_t>>();
      if (count.size() != words.size() || suffix.size() != words.size())
        throw FormatError(where(source) + "level " + std::to_string(n) +
                          " of the tag n-gram counts: " + std::to_string(words.size()) + " n-grams, " +
                          std::to_string(count.size()) + " counts, " + std::to_string(suffix.size()) + " suffix links");
      for (WordId w : words)
        if (w > c.vocab_size) throw FormatError(where(source) + "a tag n-gram word id out of range");
      for (std::uint32_t s : suffix)
        if (s >= c.trie.size(n - 1)) throw FormatError(where(source) + "a tag n-gram suffix link out of range");
      c.trie.add_level(level.at("first_child").get<std::vector<std::uint32_t>>(), std::move(words));
      c.count.push_back(std::move(count));
      c.suffix.push_back(std::move(suffix));
    }
    return c;
  } catch (const json::exception& e) {
    throw FormatError(where(source) + "bad tag n-gram counts: " + e.what());
  } catch (const UsageError& e) {  // NgramTrie::add_level's checks
    throw FormatError(where(source) + "bad tag n-gram counts: " + e.what());
  }
}

}  // namespace tapegrad::lm
