// MostFrequentTagger ("mft"): the simplest baseline. A word seen in training gets the tag it carried most often
// there,
//   tag(w) = argmax_t c(w, t),
// ties broken towards the smaller tag id, i.e. the tag more frequent in the whole training split (TagVocab's id
// rule); an unknown word gets the most frequent training tag, id 0. Context plays no part.
// Protocol test figures (overall / unknown words): 88.1 / 21.2 % with base tags, 93.2 / 63.5 % with univ tags.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "lm/tagging/string_hash.hpp"
#include "lm/tagging/tagger.hpp"

namespace tapegrad::lm {

class MostFrequentTagger : public Tagger {
 public:
  static constexpr const char* kKind = "mft";

  // Trains on a tagged split whose tags are of `tagset`.
  static MostFrequentTagger train(const TokenCorpus& train, Tagset tagset);

  std::string kind() const override { return kKind; }
  std::string describe() const override;
  std::vector<TagId> tag(std::span<const std::string_view> words) const override;
  void save(const std::string& path) const override;
  // The model of a file written by save(); from_file: the same from the parsed file (load_tagger's way).
  static MostFrequentTagger load(const std::string& path);
  static MostFrequentTagger from_file(const TaggerFile& file);

  TagId default_tag() const { return 0; }
  std::size_t num_words() const { return best_.size(); }

 private:
  MostFrequentTagger(Tagset tagset, TagVocab tags) : Tagger(tagset, std::move(tags)) {}

  std::unordered_map<std::string, TagId, StringHash, std::equal_to<>> best_;  // word → its most frequent tag
};

}  // namespace tapegrad::lm
