// Loading a saved tagger of any kind, and scoring a tagger on a split (see tagger.hpp).
#include "lm/tagging/tagger.hpp"

#include "lm/tagging/bilstm_tagger.hpp"
#include "lm/tagging/hmm_tagger.hpp"
#include "lm/tagging/most_frequent_tagger.hpp"
#include "lm/tagging/tagger_file.hpp"
#include "lm/text/error.hpp"

namespace tapegrad::lm {

std::vector<std::vector<TagId>> Tagger::tag_all(const TokenCorpus& units) const {
  std::vector<std::vector<TagId>> out(units.num_sentences());
  for (std::size_t s = 0; s < units.num_sentences(); ++s) out[s] = tag(units.sentence(s));
  return out;
}

std::unique_ptr<Tagger> load_tagger(const std::string& path) {
  if (BiLstmTagger::is_checkpoint_path(path)) return std::make_unique<BiLstmTagger>(BiLstmTagger::load(path));
  const TaggerFile file = read_tagger_file(path);
  // One line per kind of tagger.
  if (file.header.kind == MostFrequentTagger::kKind)
    return std::make_unique<MostFrequentTagger>(MostFrequentTagger::from_file(file));
  if (file.header.kind == HmmTagger::kKind) return std::make_unique<HmmTagger>(HmmTagger::from_file(file));
  throw FormatError(where(path) + "a tagger of unknown kind '" + file.header.kind + "' (this build reads mft, hmm, and bilstm .safetensors checkpoints)");
}

TagScore evaluate_tagger(const Tagger& tagger, const TokenCorpus& split, const KnownWords& known,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  TagScore score;
  std::vector<std::string_view> predicted;
  const std::vector<std::vector<TagId>> all = tagger.tag_all(split);
  for (std::size_t s = 0; s < split.num_sentences(); ++s) {
    const auto words = split.sentence(s);
    const std::vector<TagId>& ids = all[s];
    predicted.clear();
    for (TagId id : ids) predicted.push_back(tagger.tags().name(id));
    score.add_sentence(words, split.tags(s), predicted, known);
    if (progress) progress(s + 1, split.num_sentences());
  }
  return score;
}

}  // namespace tapegrad::lm
