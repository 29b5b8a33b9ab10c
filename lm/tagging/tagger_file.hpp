// The file a tagger saves itself to: one JSON object, written atomically, with a common header
//   {"format": "tapegrad-tagger", "version": 1, "kind": "hmm", "tagset": "base",
//    "tags": ["nn", "in", …], "tag_counts": [152470, …], …the kind's own fields…}
// Internal to lm/tagging (it exposes nlohmann::json): the taggers' .cpp files use it, nothing else.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lm/ngram/counts.hpp"
#include "lm/tagging/tag_vocab.hpp"
#include "lm/tagging/tagset.hpp"

namespace tapegrad::lm {

inline constexpr const char* kTaggerFormat = "tapegrad-tagger";
inline constexpr int kTaggerVersion = 1;

// The header fields of a tagger of this kind, tag set and vocabulary.
nlohmann::json tagger_header(const std::string& kind, Tagset tagset, const TagVocab& tags);

struct TaggerHeader {
  std::string kind;
  Tagset tagset = Tagset::kBase;
  TagVocab tags;
};
// Reads and checks the header; FormatError naming `source` when a field is missing or wrong.
TaggerHeader read_tagger_header(const nlohmann::json& j, const std::string& source);

void write_tagger_file(const std::string& path, const nlohmann::json& j);

// A tagger file read and parsed once, its header checked: what each kind's loader starts from.
struct TaggerFile {
  std::string path;
  nlohmann::json json;
  TaggerHeader header;
};
// IoError when unreadable, FormatError (naming the file) when it is not JSON or its header is wrong.
TaggerFile read_tagger_file(const std::string& path);
// FormatError naming the file unless the file holds a tagger of this kind.
void expect_kind(const TaggerFile& file, const std::string& kind);

// An NgramCounts as JSON and back: per level its words, the first-child offsets of the level below, the counts and
// the suffix links — exactly the arrays of the structure, so a loaded model is the trained one.
nlohmann::json ngram_counts_to_json(const NgramCounts& counts);
NgramCounts ngram_counts_from_json(const nlohmann::json& j, const std::string& source);

}  // namespace tapegrad::lm
