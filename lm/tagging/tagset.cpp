// Tag sets: names, the base-tag rule, the universal map file and where to find it (see tagset.hpp).
#include "lm/tagging/tagset.hpp"

#include <filesystem>
#include <vector>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace fs = std::filesystem;

Tagset parse_tagset(std::string_view name) {
  if (name == "raw") return Tagset::kRaw;
  if (name == "base") return Tagset::kBase;
  if (name == "univ") return Tagset::kUniv;
  throw UsageError("unknown tagset '" + std::string(name) + "' (valid tagsets: raw, base, univ)");
}

std::string_view tagset_name(Tagset tagset) {
  switch (tagset) {
    case Tagset::kRaw:
      return "raw";
    case Tagset::kBase:
      return "base";
    case Tagset::kUniv:
      return "univ";
  }
  return "?";
}

std::string_view base_tag(std::string_view raw) {
  if (raw.starts_with("fw-")) raw.remove_prefix(3);  // one leading fw- only
  for (;;) {                                         // then every trailing -tl, -hl, -nc, in any order and number
    if (raw.ends_with("-tl") || raw.ends_with("-hl") || raw.ends_with("-nc"))
      raw.remove_suffix(3);
    else
      return raw;
  }
}

const std::array<std::string_view, 12>& universal_tags() {
  static const std::array<std::string_view, 12> tags{"NOUN", "VERB", "ADJ",  "ADV", "PRON", "DET",
                                                     "ADP",  "NUM",  "CONJ", "PRT", ".",    "X"};
  return tags;
}

UniversalTagMap UniversalTagMap::load(const std::string& path) {
  return parse(read_text_file(path, {.utf8 = true}), path);  // IoError / FormatError name the file
}

UniversalTagMap UniversalTagMap::parse(std::string_view text, const std::string& source) {
  UniversalTagMap m;
  m.source_ = source;
  std::unordered_map<std::string, std::size_t> first_line;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || line.find('\t', tab + 1) != std::string_view::npos)
      throw FormatError(where(source, number) + "expected RAW<TAB>UNIV (one tab), got '" + std::string(line) + "'");
    const std::string raw(line.substr(0, tab)), univ(line.substr(tab + 1));
    if (raw.empty() || univ.empty())
      throw FormatError(where(source, number) + "empty " + (raw.empty() ? "raw" : "universal") + " tag in '" +
                        std::string(line) + "'");
    for (char c : raw)
      if (c >= 'a' && c <= 'z')
        throw FormatError(where(source, number) + "the raw tag '" + raw +
                          "' is not upper-case (raw tags are looked up upper-cased)");
    bool known = false;
    for (std::string_view u : universal_tags()) known = known || u == univ;
    if (!known)
      throw FormatError(where(source, number) + "'" + univ +
                        "' is not a universal tag (NOUN VERB ADJ ADV PRON DET ADP NUM CONJ PRT . X)");
    if (const auto [it, fresh] = first_line.emplace(raw, number); !fresh)
      throw FormatError(where(source, number) + "the raw tag '" + raw + "' is listed twice (first on line " +
                        std::to_string(it->second) + ")");
    m.map_.emplace(raw, univ);
  });
  if (m.map_.empty()) throw FormatError(where(source) + "the tag map lists no tag");
  return m;
}

const std::string& UniversalTagMap::map(std::string_view raw) const {
  std::string key(raw);
  for (char& c : key)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const auto it = map_.find(key);
  if (it == map_.end())
    throw FormatError(where(source_) + "no universal tag for the raw tag '" + std::string(raw) + "' (looked up as '" +
                      key + "')");
  return it->second;
}

std::string find_tag_map(const std::string& corpus_path) {
  std::error_code ec;
  fs::path corpus = fs::path(corpus_path).lexically_normal();
  if (!corpus.has_filename()) corpus = corpus.parent_path();  // "folder/" → "folder"
  std::vector<fs::path> candidates{corpus.parent_path() / "en-brown.map"};
  if (fs::is_directory(corpus, ec)) candidates.insert(candidates.begin(), corpus / "en-brown.map");
  std::string tried;
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return p.string();
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  throw IoError("no universal tag map for the corpus " + corpus_path + ": tried " + tried +
                "; give the map file with --tag-map");
}

TagMapping::TagMapping(Tagset tagset, std::optional<UniversalTagMap> map) : tagset_(tagset) {
  if (tagset == Tagset::kUniv) {
    if (!map) throw UsageError("the univ tagset needs a universal tag map (en-brown.map)");
    map_ = std::move(map);
  }
}

std::string_view TagMapping::operator()(std::string_view raw) const {
  switch (tagset_) {
    case Tagset::kRaw:
      return raw;
    case Tagset::kBase:
      return base_tag(raw);
    case Tagset::kUniv:
      return map_->map(raw);
  }
  return raw;
}

}  // namespace tapegrad::lm
