// The three tag sets of the Brown tagging protocol (docs/data.md, "Brown part-of-speech tagging"), each a function
// of the raw tag t written after the last '/' of an item:
//   raw   t itself (472 distinct tags in the corpus);
//   base  t without one leading "fw-" and then without any run of trailing "-tl", "-hl", "-nc"
//         (the regular expressions ^fw- and (-(tl|hl|nc))+$); "nns$", "md*", "vb+in" and "nil" stay as they are;
//   univ  the universal tag (Petrov, Das & McDonald 2012) of the upper-cased t in a map file such as en-brown.map:
//         lines RAW<TAB>UNIV with RAW upper-case and UNIV one of NOUN VERB . ADP DET ADJ ADV PRON CONJ PRT NUM X.
// TagMapping puts the chosen set and, for univ, the map together: it is what turns a corpus tag into a tag to learn.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tapegrad::lm {

enum class Tagset { kRaw, kBase, kUniv };

// "raw", "base" or "univ"; anything else throws UsageError listing the valid names.
Tagset parse_tagset(std::string_view name);
std::string_view tagset_name(Tagset tagset);

// The base tag of a raw tag: a view into `raw` ("fw-nn-tl" → "nn", "np$-tl" → "np$", "---hl" → "--").
std::string_view base_tag(std::string_view raw);

// The 12 universal tags, in the order of Petrov et al.'s paper.
const std::array<std::string_view, 12>& universal_tags();

class UniversalTagMap {
 public:
  // Reads a map file. Throws IoError when it cannot be read, FormatError naming the file and line for a line that is
  // not RAW<TAB>UNIV, a RAW that is not upper-case or is listed twice, or a UNIV that is not a universal tag.
  // Blank lines are skipped.
  static UniversalTagMap load(const std::string& path);
  // The same on text in memory; `source` names it in messages.
  static UniversalTagMap parse(std::string_view text, const std::string& source);

  // The universal tag of a raw tag, looked up upper-cased ("nn-tl" → key "NN-TL"). A tag the map does not list
  // throws FormatError naming the tag and the map file.
  const std::string& map(std::string_view raw) const;
  std::size_t size() const { return map_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::unordered_map<std::string, std::string> map_;
};

// The map file to use for a corpus when none is given: en-brown.map in the corpus tarball's folder (for a corpus
// folder: in that folder, then in its parent). Returns the first candidate that exists; when none does, throws
// IoError naming every path tried and the --tag-map flag.
std::string find_tag_map(const std::string& corpus_path);

// A tag set with, for univ, its map: turns a raw corpus tag into the tag a model learns and is scored on.
class TagMapping {
 public:
  // `map` is required for Tagset::kUniv (UsageError otherwise) and ignored for the others.
  explicit TagMapping(Tagset tagset, std::optional<UniversalTagMap> map = std::nullopt);

  Tagset tagset() const { return tagset_; }
  // The mapped tag: a view into `raw` (raw, base) or into the map (univ), valid as long as both are.
  std::string_view operator()(std::string_view raw) const;

 private:
  Tagset tagset_;
  std::optional<UniversalTagMap> map_;
};

}  // namespace tapegrad::lm
